/**
 * What `pulumi preview --json` of the merged corpus (corpusStack.ts) must plan: every entry as its kind's
 * resource (the kind the program's reader gives it, components/blueprint/kinds.ts), each env var as the
 * source it names (a link on the resource it names, or its value known in the plan, or the service's own
 * address; a secret hidden),
 * each `fromGroup` as an env group link after the service and the group, each disk, custom domain and
 * extension on its entry; what is up unchanged, the rest created, nothing replaced or deleted.
 */
import { strict as assert } from "node:assert";
import type { AppEntry } from "../../components/blueprint/vocabulary";
import { isOwnAddressKind } from "../../components/service/schema";
import { readCorpusApp, type CorpusStack } from "./corpusStack";

interface State {
  dependencies?: string[];
  inputs?: Record<string, unknown>;
}

/** A step of `pulumi preview --json`. */
export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: State;
  newState?: State;
}

/** One env var in a planned service's inputs (the kinds' env var source as the provider checked it). */
interface PlannedVar {
  kind: string;
  value?: string;
}

/** `pulumi-nodejs:dynamic/render:<Kind>`: a kind's folder name (kinds.ts) with a capital. */
export const typeOf = (kind: string) =>
  `pulumi-nodejs:dynamic/render:${kind[0].toUpperCase()}${kind.slice(1)}`;
/** The resource name at the end of a URN. */
export const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
/** The resource type of a URN (`…::<parent type>$<type>::<name>`). */
const urnType = (urn: string) => urn.split("::")[2].split("$").pop()!;

/**
 * Checks the preview's steps of `corpus` with `up` already up (`refresh: always`: what is up is read
 * first, a `refresh` step each, and shows no other step when unchanged). Returns the links checked.
 */
export function checkCorpusPlan(all: PreviewStep[], corpus: CorpusStack, up: CorpusStack): number {
  const steps = all.filter((s) => s.op !== "refresh");
  assert.deepEqual(
    steps.filter((s) => !["create", "same"].includes(s.op)).map((s) => `${s.op} ${s.urn}`),
    [],
    "nothing but creates, and no change to what is up",
  );
  /** What a resource will be: its planned state, or for one that is up and unchanged its refreshed one. */
  const stateOf = (urn: string): State | undefined => {
    const s = steps.find((x) => x.urn === urn) ?? all.find((x) => x.urn === urn && x.op === "refresh");
    return s?.newState ?? s?.oldState;
  };
  const entries = readCorpusApp(corpus);
  const isUp = new Set(readCorpusApp(up).map((e) => `${e.section}/${e.name}`));
  const urnOf = new Map<AppEntry, string>();
  for (const e of entries) {
    const matches = (s: PreviewStep) => urnType(s.urn) === typeOf(e.kind) && nameOf(s.urn) === e.name;
    const what = `${e.section} ${e.name}`;
    if (isUp.has(`${e.section}/${e.name}`)) {
      const refreshed = all.find((s) => s.op === "refresh" && matches(s));
      assert.ok(refreshed, `${what}: is up, but not read from Render`);
      assert.equal(steps.find(matches)?.op ?? "same", "same", `${what}: is up, and changes`);
      urnOf.set(e, refreshed.urn);
    } else {
      const step = steps.find(matches);
      assert.ok(step, `${what}: no ${typeOf(e.kind)} in the plan`);
      assert.equal(step.op, "create", what);
      urnOf.set(e, step.urn);
    }
  }
  const byName = (section: string, name: string) =>
    entries.find((e) => e.section === section && e.name === name);
  const dependsOn = (urn: string) => stateOf(urn)?.dependencies ?? [];
  const urns = [...new Set(all.map((s) => s.urn))];
  /** The attachments of `type` on `owner` (depending on its resource). */
  const attached = (type: string, owner: AppEntry) =>
    urns.filter((u) => urnType(u) === typeOf(type) && dependsOn(u).includes(urnOf.get(owner)!));
  let links = 0;
  for (const e of entries) {
    const urn = urnOf.get(e)!;
    const vars = (stateOf(urn)?.inputs?.envVars ?? {}) as Record<string, PlannedVar>;
    for (const v of e.envVars) {
      const what = `${e.name} ${JSON.stringify(v)}`;
      if ("fromGroup" in v) {
        // One env group link per service and group, after both; a group the stack does not declare is
        // the workspace's, linked by its name (looked up, never created).
        const declared = byName("envVarGroups", v.fromGroup);
        const linksOf = attached("envGroupLink", e).filter((u) =>
          declared
            ? dependsOn(u).includes(urnOf.get(declared)!)
            : stateOf(u)?.inputs?.envGroupName === v.fromGroup,
        );
        assert.equal(linksOf.length, 1, what);
        links++;
        continue;
      }
      const p = vars[v.key];
      assert.ok(p, `${what}: not in the plan`);
      if ("value" in v) assert.deepEqual(p, { kind: "plain", value: v.value }, what);
      else if ("generateValue" in v) assert.equal(p.kind, "generated", what);
      else if ("secretKey" in v) assert.deepEqual(p, { kind: "secret", value: "[secret]" }, what);
      else {
        // A link: on the resource it names (its value read from Render when written), or, for a
        // service's host, port and the plain vars it copies, the value itself, known in the plan.
        const target =
          "fromDatabase" in v
            ? byName("databases", v.fromDatabase.name)
            : (byName("services", v.fromService.name) ?? byName("keyValues", v.fromService.name));
        assert.ok(target, `${what}: names nothing`);
        if (target === e) {
          // Its own URL or host name: the provider keeps the var equal to it (no dependency on itself).
          assert.ok(
            isOwnAddressKind(p.kind),
            `${what}: not its own address in the plan: ${JSON.stringify(p)}`,
          );
          links++;
          continue;
        }
        assert.ok(
          dependsOn(urn).includes(urnOf.get(target)!) || (p.kind === "plain" && p.value),
          `${what}: neither on ${target.name} nor a value in the plan: ${JSON.stringify(p)}`,
        );
        links++;
      }
    }
    assert.equal(attached("disk", e).length, e.disk ? 1 : 0, `${e.name}: its disk`);
    assert.equal(attached("customDomain", e).length, e.domains?.length ?? 0, `${e.name}: its domains`);
    assert.equal(
      attached("postgresExtension", e).length,
      e.extensions?.length ?? 0,
      `${e.name}: its extensions`,
    );
  }
  return links;
}
