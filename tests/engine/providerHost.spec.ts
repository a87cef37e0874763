/**
 * The provider host helper drives the SDK's own dynamic provider host over gRPC: the provider below is
 * serialized like `dynamic.Resource` does it and runs in the host process, configured from `args`.
 */
import { strict as assert } from "node:assert";
import type * as pulumi from "@pulumi/pulumi";
import {
  DynamicProviderHost,
  providerKey,
  serializeProvider,
  stripSecrets,
} from "../../tools/harness/providerHost";

interface LabelProps {
  name: string;
  note?: string;
}

/** Self-contained on purpose: it is serialized by value into the host. */
class LabelProvider implements pulumi.dynamic.ResourceProvider<LabelProps, LabelProps & { full: string }> {
  private prefix = "";

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.prefix = req.config.require("demo:prefix");
  }

  async check(_olds: LabelProps, news: LabelProps): Promise<pulumi.dynamic.CheckResult<LabelProps>> {
    const failures =
      typeof news.name === "string" && news.name !== "" ? [] : [{ property: "name", reason: "required" }];
    return { inputs: news, failures };
  }

  async diff(_id: string, olds: LabelProps, news: LabelProps): Promise<pulumi.dynamic.DiffResult> {
    return {
      changes: olds.name !== news.name || olds.note !== news.note,
      replaces: olds.name !== news.name ? ["name"] : [],
    };
  }

  async create(inputs: LabelProps): Promise<pulumi.dynamic.CreateResult<LabelProps & { full: string }>> {
    return { id: `label-${inputs.name}`, outs: { ...inputs, full: `${this.prefix}${inputs.name}` } };
  }

  async read(id: string, props?: LabelProps & { full: string }): Promise<pulumi.dynamic.ReadResult> {
    return props?.note === "gone" ? { id: "" } : { id, props };
  }

  async update(_id: string, _olds: LabelProps, news: LabelProps): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: { ...news, full: `${this.prefix}${news.name}` } };
  }

  async delete(_id: string, props: LabelProps): Promise<void> {
    if (props.note === "stuck") throw new Error(`could not delete label ${props.name}: stuck`);
  }
}

describe("provider host helper: the SDK's dynamic provider host over gRPC", function () {
  this.timeout(30_000);
  const urn = "urn:pulumi:test::demo::pulumi-nodejs:dynamic:Resource::label";
  let host: DynamicProviderHost;
  let serialized: string;

  before(async () => {
    serialized = await serializeProvider(new LabelProvider());
    host = await DynamicProviderHost.start();
  });

  after(async () => {
    await host?.stop();
  });

  it("strips secret wrappers like the engine", () => {
    const wrapped = {
      a: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s" },
    };
    assert.deepEqual(stripSecrets(wrapped), { a: "s" });
  });

  it("Configure takes the stack config in args and refuses secrets", async () => {
    assert.ok(host.port > 0);
    const secretPrefix = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: "p-",
    };
    assert.deepEqual(await host.configure({ "demo:prefix": secretPrefix }), { acceptSecrets: false });
  });

  it("Check reports failures from the provider", async () => {
    const bad = await host.check(urn, {}, { name: "", [providerKey]: serialized });
    assert.deepEqual(bad.failures, [{ property: "name", reason: "required" }]);
    const good = await host.check(urn, {}, { name: "a", [providerKey]: serialized });
    assert.deepEqual(good.failures, []);
    assert.equal(good.inputs[providerKey], serialized);
  });

  it("Create, Read, Diff, Update and Delete run the provider with the configured prefix", async () => {
    const created = await host.create(urn, { name: "a", [providerKey]: serialized });
    assert.equal(created.id, "label-a");
    assert.equal(created.props.full, "p-a");
    assert.equal(created.props[providerKey], serialized);

    const read = await host.read(created.id, urn, created.props);
    assert.equal(read.id, "label-a");
    const gone = await host.read(created.id, urn, { ...created.props, note: "gone" });
    assert.equal(gone.id, "");

    assert.deepEqual(
      await host.diff(created.id, urn, created.props, { name: "a", [providerKey]: serialized }),
      {
        changes: "none",
        replaces: [],
        deleteBeforeReplace: false,
      },
    );
    const renamed = await host.diff(created.id, urn, created.props, { name: "b", [providerKey]: serialized });
    assert.equal(renamed.changes, "some");
    assert.deepEqual(renamed.replaces, ["name"]);

    const updated = await host.update(created.id, urn, created.props, {
      name: "a",
      note: "n",
      [providerKey]: serialized,
    });
    assert.equal(updated.props.note, "n");
    assert.equal(updated.props.full, "p-a");

    await host.delete(created.id, urn, updated.props);
    await assert.rejects(
      host.delete(created.id, urn, { ...updated.props, note: "stuck" }),
      /could not delete label a: stuck/,
    );
  });
});
