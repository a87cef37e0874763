import { strict as assert } from "node:assert";
import { startEmulator } from "../../../emulator";
import {
  RegistryCredentialProvider,
  type RegistryCredentialOutputs,
} from "../../../components/registryCredential/provider";
import {
  checkRegistryCredentialInputs,
  diffRegistryCredential,
  toPatchRegistryCredentialBody,
  type RegistryCredentialInputs,
} from "../../../components/registryCredential/mapping";
import { call, checked, configured } from "../../helpers/providers";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const TOKEN = "ghp_s3cretTOKENvalue";

describe("RenderRegistryCredential schema and mapping", () => {
  it("names the property and the allowed registries; accepts any case", () => {
    const { inputs, failures } = checkRegistryCredentialInputs({
      name: "ghcr",
      ownerId: "tea-d303qfodl3ps739p3e60",
      registry: "quay",
      username: "",
      authToken: TOKEN,
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["registry", "username"],
    );
    assert.match(failures[0].reason, /"QUAY" is not a registry Render knows; allowed: "GITHUB", "GITLAB"/);
    assert.equal(JSON.stringify(failures).includes(TOKEN), false);
    assert.equal(inputs.authToken, TOKEN);
    const ok = checkRegistryCredentialInputs({
      name: "a",
      ownerId: "tea-d303qfodl3ps739p3e60",
      registry: "aws_ecr",
      username: "u",
      authToken: "t",
    });
    assert.equal(ok.inputs.registry, "AWS_ECR");
  });

  it("diffs readable fields against live and the token against the recorded one", () => {
    const desired = {
      name: "a",
      ownerId: "tea-x",
      registry: "GITHUB",
      username: "u",
      authToken: "t2",
      adoptExisting: false,
    } as RegistryCredentialInputs;
    assert.deepEqual(
      diffRegistryCredential(desired, { name: "a", registry: "GITHUB", username: "u" }, "t2"),
      [],
    );
    assert.deepEqual(
      diffRegistryCredential(desired, { name: "b", registry: "DOCKER", username: "u" }, "t1"),
      ["name", "registry", "authToken"],
    );
    assert.deepEqual(toPatchRegistryCredentialBody(desired), {
      name: "a",
      registry: "GITHUB",
      username: "u",
      authToken: "t2",
    });
  });
});

describe("RenderRegistryCredential provider (emulator)", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let provider: RegistryCredentialProvider;
  let reported: string[];
  let n = 0;

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false, timeScale: 1 } });
  });
  after(async () => {
    await emu?.close();
  });
  beforeEach(async () => {
    await call(emu.controlUrl, "POST", "/reset");
    reported = [];
    provider = await configured(new RegistryCredentialProvider((line) => reported.push(line)), emu);
    n++;
  });
  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });
  const args = (o: Record<string, unknown> = {}) => ({
    name: `ghcr-${n}`,
    ownerId: emu.ownerId,
    registry: "github",
    username: "octo",
    authToken: TOKEN,
    ...o,
  });
  async function created(o: Record<string, unknown> = {}) {
    const inputs = await checked<RegistryCredentialInputs>(provider, args(o));
    const result = await provider.create(inputs);
    return { inputs, id: result.id, outs: result.outs as RegistryCredentialOutputs };
  }

  it("creates once, sees drift of name, registry and username, a token change, and puts them back", async () => {
    const { inputs, id, outs } = await created();
    assert.match(id, /^rgc-/);
    assert.deepEqual(await provider.diff!(id, outs, inputs), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    await assert.rejects(provider.create(inputs), /already has a registry credential of that name/);
    await api("PATCH", `/registrycredentials/${id}`, {
      name: inputs.name,
      registry: "DOCKER",
      username: "other",
      authToken: "x",
    });
    assert.equal((await provider.diff!(id, outs, inputs)).changes, true);
    await provider.update!(id, outs, inputs);
    assert.equal((await provider.diff!(id, outs, inputs)).changes, false);
    assert.equal((await provider.diff!(id, outs, { ...inputs, authToken: "rotated" })).changes, true);
    const moved = await provider.diff!(id, outs, { ...inputs, ownerId: "tea-d303qfodl3ps739p3e60" });
    assert.deepEqual(moved.replaces, ["ownerId"]);
  });

  it("never makes a second credential when the response to the POST is lost", async () => {
    await call(emu.controlUrl, "POST", "/faults", {
      body: { method: "POST", path: "/v1/registrycredentials", count: 1, fault: { kind: "lose-response" } },
    });
    const { id } = await created();
    const all = (await api("GET", "/registrycredentials")).body as { id: string }[];
    assert.deepEqual(
      all.map((c) => c.id),
      [id],
    );
  });

  it("adopts by id with a report that never shows the token, and sets the token", async () => {
    const { id } = await created({ username: "old" });
    await provider.check!({} as RegistryCredentialInputs, args({ adoptId: id }) as never);
    assert.equal(reported.length, 1);
    assert.match(
      reported[0],
      /adopting registry credential .*\n.*~ username: "old" => "octo"\n.*~ authToken: set to the config's \(\[secret\]/,
    );
    assert.equal(reported[0].includes(TOKEN), false);
    const adopted = await provider.create(
      await checked<RegistryCredentialInputs>(provider, args({ adoptId: id })),
    );
    assert.equal(adopted.id, id);
    assert.equal(
      ((await api("GET", `/registrycredentials/${id}`)).body as { username: string }).username,
      "octo",
    );
  });

  it("reads for refresh (token kept from state), stops on one deleted outside, deletes idempotently", async () => {
    const { inputs, id, outs } = await created();
    const read = await provider.read(id, outs);
    assert.equal((read.props as RegistryCredentialOutputs).authToken, TOKEN);
    assert.equal((await provider.diff!(id, read.props as RegistryCredentialOutputs, inputs)).changes, false);
    await provider.delete(id);
    await provider.delete(id);
    await assert.rejects(provider.read(id, outs), /registry credential .* no longer exists on Render.*rgc-…/);
  });
});
