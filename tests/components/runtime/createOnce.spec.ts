import { strict as assert } from "node:assert";
import { createOnce, type CreateOnceSpec } from "../../../components/runtime/createOnce";

interface Live {
  id: string;
  name: string;
  owner: string;
}

const notFound = Object.assign(new Error("404 Not Found"), { notFound: true });
const timedOut = Object.assign(new Error("POST /things timed out"), { outcomeUnknown: true });

/** A workspace of fake objects and the calls made on it, in order. */
function world(opts: {
  objects?: Live[];
  createFails?: Error;
  createApplies?: boolean;
  replaced?: string[];
}) {
  const objects = [...(opts.objects ?? [])];
  const calls: string[] = [];
  const spec = (over: Partial<CreateOnceSpec<Live, Live>> = {}): CreateOnceSpec<Live, Live> => ({
    words: { noun: "thing", idHint: "the thg-… id" },
    name: "web",
    ownerId: "tea-1",
    ownerOf: (live) => live.owner,
    getById: async (id) => {
      calls.push(`get ${id}`);
      const live = objects.find((o) => o.id === id);
      if (!live) throw notFound;
      return live;
    },
    findByName: async () => {
      calls.push("list web");
      return objects.find((o) => o.name === "web" && o.owner === "tea-1");
    },
    replacedFields: () => opts.replaced ?? [],
    create: async () => {
      calls.push("post web");
      const live = { id: `thg-${objects.length + 1}`, name: "web", owner: "tea-1" };
      if (opts.createFails) {
        if (opts.createApplies) objects.push(live);
        throw opts.createFails;
      }
      objects.push(live);
      return live;
    },
    isNotFound: (err) => (err as { notFound?: boolean }).notFound === true,
    isOutcomeUnknown: (err) => (err as { outcomeUnknown?: boolean }).outcomeUnknown === true,
    ...over,
  });
  return { objects, calls, spec };
}

const mine: Live = { id: "thg-9", name: "web", owner: "tea-1" };

describe("createOnce", () => {
  const cases: {
    title: string;
    objects?: Live[];
    over?: Partial<CreateOnceSpec<Live, Live>>;
    createFails?: Error;
    createApplies?: boolean;
    replaced?: string[];
    how?: string;
    id?: string;
    error?: string;
    calls: string[];
  }[] = [
    { title: "creates when none exists", how: "created", id: "thg-1", calls: ["list web", "post web"] },
    {
      title: "adopts by id",
      objects: [mine],
      over: { adoptId: "thg-9" },
      how: "adopted",
      id: "thg-9",
      calls: ["get thg-9"],
    },
    {
      title: "adopts by name with adoptExisting",
      objects: [mine],
      over: { adoptExisting: true },
      how: "adopted",
      id: "thg-9",
      calls: ["list web"],
    },
    {
      title: "refuses a duplicate of the same name, naming the resource's field",
      objects: [mine],
      error:
        "could not create thing web: workspace tea-1 already has a thing of that name (thg-9). To manage it, " +
        "set `adoptExisting: true` on the resource and run `pulumi up` again; to create a new one, choose " +
        "another name",
      calls: ["list web"],
    },
    {
      title: "refuses a duplicate of the same name, with the program's command when it gave its key",
      objects: [mine],
      over: {
        advice: { program: "the demo app", configKeys: { adoptExisting: "demo:thing.adoptExisting" } },
      },
      error:
        "could not create thing web: workspace tea-1 already has a thing of that name (thg-9). To manage it, " +
        "set `adoptExisting: true` on the resource (the demo app: `pulumi config set --path " +
        "demo:thing.adoptExisting true`) and run `pulumi up` again; to create a new one, choose another name",
      calls: ["list web"],
    },
    {
      title: "refuses to adopt one whose immutable fields differ",
      objects: [mine],
      over: { adoptExisting: true },
      replaced: ["region", "plan"],
      error:
        "could not adopt thing web (thg-9): its region, plan differ from the desired ones, and those cannot " +
        "change in place",
      calls: ["list web"],
    },
    {
      title: "adoptId of nothing",
      over: { adoptId: "thg-7" },
      error: "could not adopt thing thg-7: no such thing on Render (check adoptId, the thg-… id)",
      calls: ["get thg-7"],
    },
    {
      title: "adoptId in another workspace",
      objects: [{ ...mine, owner: "tea-2" }],
      over: { adoptId: "thg-9" },
      error: "could not adopt thing thg-9: it belongs to workspace tea-2, not tea-1 (ownerId)",
      calls: ["get thg-9"],
    },
    {
      title: "adoptId of another name",
      objects: [{ ...mine, name: "api" }],
      over: { adoptId: "thg-9" },
      error:
        'could not adopt thing thg-9: it is named "api", the resource "web". Set name to the live one ' +
        "(a rename is not adoption) or fix adoptId",
      calls: ["get thg-9"],
    },
    {
      title: "recovers after an unknown outcome that was applied, without a second POST",
      createFails: timedOut,
      createApplies: true,
      how: "recovered",
      id: "thg-1",
      calls: ["list web", "post web", "list web"],
    },
    {
      title: "says a retry is safe after an unknown outcome that was not applied",
      createFails: timedOut,
      error:
        "could not create thing web: POST /things timed out. No thing of that name exists now, so running " +
        "`pulumi up` again is safe",
      calls: ["list web", "post web", "list web"],
    },
    {
      title: "passes on a create error whose outcome is known, without looking again",
      createFails: new Error("400 Bad Request"),
      error: "400 Bad Request",
      calls: ["list web", "post web"],
    },
  ];
  for (const c of cases)
    it(c.title, async () => {
      const w = world({
        objects: c.objects,
        createFails: c.createFails,
        createApplies: c.createApplies,
        replaced: c.replaced,
      });
      const run = createOnce(w.spec(c.over));
      if (c.error !== undefined)
        await assert.rejects(run, (err: Error) => (assert.equal(err.message, c.error), true));
      else {
        const outcome = await run;
        assert.equal(outcome.how, c.how);
        assert.equal(outcome.how === "created" ? outcome.created.id : outcome.live.id, c.id);
      }
      assert.deepEqual(w.calls, c.calls);
      assert.equal(w.objects.filter((o) => o.name === "web" && o.owner === "tea-1").length <= 1, true);
    });
});
