import { strict as assert } from "node:assert";
import { adviceProblem, configCommand, takeAdvice, withAdvice } from "../../../components/runtime/advice";
import { forgetDeletedVariable } from "../../../components/runtime/config";
import { isProviderHostMain } from "../../../components/runtime/providerHost";
import {
  checkNamedObject,
  deleteIgnoringNotFound,
  findByName,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../../../components/runtime/providerSkeleton";
import { RenderApiError } from "../../../components/render/errors";

const apiError = (status: number, message: string) =>
  new RenderApiError({ status, method: "GET", path: "/postgres/dpg-1", message, retryable: status >= 500 });
const notFound = () => apiError(404, "not found");
const serverError = () => apiError(500, "server error");
const advice = { program: "the demo app", configKeys: { adoptId: "demo:db.importId" } };

async function* listOf<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

// The steps every provider of a named Render object shares (components/runtime/providerSkeleton.ts).
describe("runtime provider skeleton", () => {
  afterEach(() => delete process.env[forgetDeletedVariable]);

  describe("checkNamedObject", () => {
    const fieldCheck = (raw: Record<string, unknown>) => ({
      inputs: { ...raw },
      failures: raw.name === "" ? [{ property: "name", reason: "must not be empty" }] : [],
    });
    // An unchanged workspace is not looked up: no API call, so no key needed.
    const olds = { name: "db", ownerId: "tea-1" };

    it("passes the fields through the resource's check and keeps a valid advice", async () => {
      const reports: string[] = [];
      const result = await checkNamedObject(
        {},
        olds,
        { name: "db", ownerId: "tea-1", advice },
        fieldCheck,
        async (i) => void reports.push(i.name),
      );
      assert.deepEqual(result, { inputs: { name: "db", ownerId: "tea-1", advice }, failures: [] });
      assert.deepEqual(reports, []);
    });

    it("reports a bad advice and the resource's own failures together, and no adoption", async () => {
      const reports: string[] = [];
      const result = await checkNamedObject(
        {},
        {},
        { name: "", ownerId: "tea-1", adoptId: "dpg-1", advice: { program: 3 } },
        fieldCheck,
        async (i) => void reports.push(i.name),
      );
      assert.deepEqual(
        result.failures!.map((f) => f.property),
        ["name", "advice"],
      );
      assert.equal("advice" in result.inputs!, false);
      assert.deepEqual(reports, []);
    });

    it("reports a first adoption (nothing recorded, an adoptId) once all is valid", async () => {
      const reports: string[] = [];
      // A first adoption with the workspace already recorded is impossible; an unchanged one skips the lookup.
      await checkNamedObject(
        {},
        { ownerId: "tea-1" },
        { name: "db", ownerId: "tea-1", adoptId: "dpg-1" },
        fieldCheck,
        async (i) => void reports.push(`${i.name} ${i.adoptId}`),
      );
      await checkNamedObject(
        {},
        olds,
        { name: "db", ownerId: "tea-1", adoptId: "dpg-1" },
        fieldCheck,
        async (i) => void reports.push(`again ${i.name}`),
      );
      assert.deepEqual(reports, ["db dpg-1"]);
    });
  });

  describe("reportAdoption", () => {
    const inputs = { name: "db", ownerId: "tea-1", adoptId: "dpg-1" };

    it("writes the head line and the changes", async () => {
      const out: string[] = [];
      await reportAdoption(
        "database",
        inputs,
        async () => ["~ plan: a => b"],
        (t) => out.push(t),
      );
      assert.deepEqual(out, [
        "adopting database db (dpg-1): pulumi up changes it to match the config:\n    ~ plan: a => b",
      ]);
    });

    it("writes nothing for another object or a failed read", async () => {
      const out: string[] = [];
      await reportAdoption(
        "database",
        inputs,
        async () => undefined,
        (t) => out.push(t),
      );
      await reportAdoption(
        "database",
        inputs,
        async () => {
          throw serverError();
        },
        (t) => out.push(t),
      );
      assert.deepEqual(out, []);
    });
  });

  describe("liveForDiff and liveForRead", () => {
    const object = { what: "database" as const, id: "dpg-1", name: "db" };

    it("answer the live object", async () => {
      assert.equal(await liveForDiff(object, async () => "live"), "live");
      assert.equal(liveForRead(object, { status: "fulfilled", value: "live" }), "live");
    });

    it("turn a not-found into the gone message, with the field or the program's command", async () => {
      await assert.rejects(
        liveForDiff(object, async () => {
          throw notFound();
        }),
        /database db \(dpg-1\) no longer exists on Render: .*then set adoptId to its dpg-… id on the resource, then `pulumi up`/,
      );
      assert.throws(
        () => liveForRead({ ...object, advice }, { status: "rejected", reason: notFound() }),
        /then `pulumi config set --path demo:db\.importId dpg-…` \(the demo app\), then `pulumi up`/,
      );
    });

    it("pass other errors on", async () => {
      await assert.rejects(
        liveForDiff(object, async () => {
          throw serverError();
        }),
        /server error/,
      );
      assert.throws(() => liveForRead(object, { status: "rejected", reason: serverError() }), /server error/);
    });

    it("read drops only an object the user named in RENDER_FORGET_DELETED", () => {
      process.env[forgetDeletedVariable] = "dpg-2";
      assert.throws(
        () => liveForRead(object, { status: "rejected", reason: notFound() }),
        /no longer exists/,
      );
      process.env[forgetDeletedVariable] = "srv-1, dpg-1";
      assert.equal(liveForRead(object, { status: "rejected", reason: notFound() }), undefined);
    });
  });

  describe("deleteIgnoringNotFound", () => {
    it("counts an object already gone as deleted and passes other errors on", async () => {
      let calls = 0;
      await deleteIgnoringNotFound(async () => void calls++);
      await deleteIgnoringNotFound(async () => {
        calls++;
        throw notFound();
      });
      assert.equal(calls, 2);
      await assert.rejects(
        deleteIgnoringNotFound(async () => {
          throw serverError();
        }),
        /server error/,
      );
    });
  });

  describe("findByName", () => {
    it("answers only an exact match of name and workspace", async () => {
      const owner = (o: { name: string; owner: string }) => o.owner;
      const list = [
        { name: "db-old", owner: "tea-1" },
        { name: "db", owner: "tea-2" },
        { name: "db", owner: "tea-1" },
      ];
      assert.equal(await findByName(listOf(list), "db", "tea-1", owner), list[2]);
      assert.equal(await findByName(listOf(list.slice(0, 2)), "db", "tea-1", owner), undefined);
    });
  });

  describe("advice", () => {
    it("validates the shape, naming what is wrong", () => {
      assert.equal(adviceProblem(undefined), undefined);
      assert.equal(adviceProblem(advice), undefined);
      assert.match(adviceProblem("the arrakis app") ?? "", /must be \{ program: string, configKeys/);
      assert.match(adviceProblem({ program: "x", configKeys: { a: 1 } }) ?? "", /must be/);
      assert.match(adviceProblem({ ...advice, extra: 1 }) ?? "", /unknown keys: extra/);
    });

    it("splits advice off the fields and adds it back only when there is one", () => {
      assert.deepEqual(takeAdvice({ name: "db", advice }), { fields: { name: "db" }, advice, failures: [] });
      assert.deepEqual(takeAdvice({ name: "db" }), { fields: { name: "db" }, failures: [] });
      assert.deepEqual(withAdvice({ name: "db" }, undefined), { name: "db" });
      assert.equal("advice" in withAdvice({ name: "db" }, undefined), false);
    });

    it("makes the program's command only for a field it gave the key of", () => {
      assert.equal(
        configCommand(advice, "adoptId", "set", "dpg-…"),
        "pulumi config set --path demo:db.importId dpg-…",
      );
      assert.equal(configCommand(advice, "commit", "rm"), undefined);
      assert.equal(configCommand(undefined, "adoptId", "set"), undefined);
    });
  });

  it("knows the provider host by its main module, started by folder or by file", () => {
    const sdk = "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider";
    assert.equal(isProviderHostMain(sdk), true);
    assert.equal(isProviderHostMain(`${sdk}/index.js`), true);
    assert.equal(
      isProviderHostMain("C:\\p\\node_modules\\@pulumi\\pulumi\\cmd\\dynamic-provider\\index.js"),
      true,
    );
    assert.equal(isProviderHostMain("/p/node_modules/.bin/mocha"), false);
    assert.equal(isProviderHostMain("/p/cmd/dynamic-provider-tests/index.js"), false);
  });
});
