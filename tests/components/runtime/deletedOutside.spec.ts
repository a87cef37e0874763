import { strict as assert } from "node:assert";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { DeployProvider, type DeployOutputs } from "../../../components/deploy/provider";
import type { DeployInputs } from "../../../components/deploy/mapping";
import type { PostgresInputs } from "../../../components/postgres/mapping";
import type { ServiceInputs } from "../../../components/webService/mapping";
import {
  PostgresExtensionProvider,
  type PostgresExtensionInputs,
  type PostgresExtensionOutputs,
} from "../../../components/postgresExtension/provider";
import { PostgresProvider, type PostgresOutputs } from "../../../components/postgres/provider";
import { forgetDeletedVariable } from "../../../components/runtime/config";
import { WebServiceProvider, type WebServiceOutputs } from "../../../components/webService/provider";
import { call, checked, configured } from "../../helpers/providers";
import { appAdvice, arrakisConfigNames } from "../../../app/app";

/** What a refresh does per resource: the read's answer, or its error message. */
async function refreshed(read: Promise<{ id?: string }>): Promise<string> {
  try {
    const result = await read;
    return result.id ? "kept" : "gone";
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

// A database or service deleted outside Pulumi (issue 17, item 6): the refresh of every preview stops
// at it with one message (what is gone, that nothing is recreated on its own, the commands for each way
// back); the resources linked to it (extension, service links, deploy) give no error of their own; and
// only RENDER_FORGET_DELETED=<id> lets a refresh drop it from the state.
describe("deleted outside Pulumi (emulator)", function () {
  this.timeout(240_000);
  let emu: RunningEmulator;
  let db: PostgresProvider;
  let ext: PostgresExtensionProvider;
  let web: WebServiceProvider;
  let dep: DeployProvider;
  let n = 0;
  const rootCertBefore = process.env.PGSSLROOTCERT;

  const api = (method: string, path: string, body?: unknown) =>
    call(emu.url, method, path, { apiKey: emu.apiKey, body });

  before(async () => {
    emu = await startEmulator({ port: 0, timings: "fast", rateLimits: { enabled: false } });
    // The extension verifies the database's TLS certificate: trust the emulator's CA as a user does.
    process.env.PGSSLROOTCERT = emu.caCertFile;
    db = await configured(new PostgresProvider(), emu);
    ext = await configured(new PostgresExtensionProvider(), emu);
    web = await configured(new WebServiceProvider(), emu);
    dep = await configured(new DeployProvider(() => undefined), emu);
  });
  after(async () => {
    if (rootCertBefore === undefined) delete process.env.PGSSLROOTCERT;
    else process.env.PGSSLROOTCERT = rootCertBefore;
    delete process.env[forgetDeletedVariable];
    await emu?.close();
  });
  afterEach(() => {
    delete process.env[forgetDeletedVariable];
  });

  /** The database and its extension, made once (a database is seconds of PGlite start): see {@link app}. */
  let made: Promise<{
    database: { id: string; inputs: PostgresInputs; outs: PostgresOutputs };
    extension: { id: string; inputs: PostgresExtensionInputs; outs: PostgresExtensionOutputs };
  }>;
  async function databaseAndExtension() {
    const dbInputs = await checked<PostgresInputs>(db, {
      name: "gone-db",
      ownerId: emu.ownerId,
      plan: "basic_256mb",
      version: "17",
      pollIntervalSeconds: 0.01,
    });
    const database = await db.create(dbInputs);
    const extInputs = await checked<PostgresExtensionInputs>(ext, { postgresId: database.id });
    const extension = await ext.create(extInputs);
    return {
      database: { id: database.id, inputs: dbInputs, outs: database.outs as PostgresOutputs },
      extension: { id: extension.id, inputs: extInputs, outs: extension.outs as PostgresExtensionOutputs },
    };
  }

  /**
   * The app's four resources, made by the providers as `pulumi up` would: the database and extension are
   * the same for each call (so the test that deletes the service runs before the one that deletes the
   * database), the service and its deploy new each time.
   */
  async function app() {
    n++;
    made ??= databaseAndExtension();
    const { database, extension } = await made;
    const webInputs = await checked<ServiceInputs>(web, {
      name: `gone-web-${n}`,
      ownerId: emu.ownerId,
      repo: "https://github.com/happydotemdr/arrakis",
      branch: "master",
      buildCommand: "npm install && npm run build",
      startCommand: "npm start",
      healthCheckPath: "/",
      envVars: {
        DATABASE_URL: { kind: "linked", database: database.id, property: "connectionString" },
        NEXTAUTH_SECRET: { kind: "generated" },
      },
    });
    const service = await web.create(webInputs);
    const depInputs = await checked<DeployInputs>(dep, {
      serviceId: service.id,
      pollIntervalMs: 5,
      healthCheck: { enabled: false },
    });
    const deploy = await dep.create(depInputs);
    return {
      database,
      extension,
      service: { id: service.id, inputs: webInputs, outs: service.outs as WebServiceOutputs },
      deploy: { id: deploy.id, inputs: depInputs, outs: deploy.outs as DeployOutputs },
    };
  }

  it("a deleted service: one message, with the commands; its deploy reports itself gone without error", async () => {
    const a = await app();
    assert.equal((await api("DELETE", `/services/${a.service.id}`)).status, 204);
    const id = a.service.id;
    const name = a.service.inputs.name;
    const results = {
      database: await refreshed(db.read(a.database.id, a.database.outs)),
      extension: await refreshed(ext.read(a.extension.id, a.extension.outs)),
      service: await refreshed(web.read(a.service.id, a.service.outs)),
      deploy: await refreshed(dep.read(a.deploy.id, a.deploy.outs)),
    };
    assert.deepEqual(
      { ...results, service: results.service.slice(0, 7) },
      { database: "kept", extension: "kept", service: "error: ", deploy: "gone" },
    );
    const message = results.service.slice("error: ".length);
    assert.equal(
      message,
      `service ${name} (${id}) no longer exists on Render: it was deleted outside Pulumi. Pulumi does not ` +
        "recreate it on its own, and nothing is changed until you choose. To manage one restored or made by " +
        `hand: \`RENDER_FORGET_DELETED=${id} pulumi refresh --yes\`, then ` +
        "set adoptId to its srv-… id on the resource, then `pulumi up`. To make " +
        "a new service (a new id; generated env vars such as NEXTAUTH_SECRET get new values): " +
        `\`RENDER_FORGET_DELETED=${id} pulumi refresh --yes\`, then \`pulumi up\``,
    );
    await assert.rejects(web.diff!(a.service.id, a.service.outs, a.service.inputs), (err: Error) => {
      assert.equal(err.message, message);
      return true;
    });
    // A refresh of a state the arrakis program wrote: the advice recorded there words the way back.
    const advice = appAdvice(arrakisConfigNames).service;
    await assert.rejects(web.read(a.service.id, { ...a.service.outs, advice }), (err: Error) => {
      assert.equal(
        err.message,
        message.replace(
          "set adoptId to its srv-… id on the resource",
          "`pulumi config set --path arrakis:service.importId srv-…` (the arrakis app)",
        ),
      );
      return true;
    });
    process.env[forgetDeletedVariable] = id;
    assert.deepEqual(await web.read(a.service.id, a.service.outs), {});
  });

  it("a deleted database: one message, from the database alone, with the commands; never dropped silently", async () => {
    const a = await app();
    assert.equal((await api("DELETE", `/postgres/${a.database.id}`)).status, 204);

    // The refresh of a preview: each resource's read.
    const results = {
      database: await refreshed(db.read(a.database.id, a.database.outs)),
      extension: await refreshed(ext.read(a.extension.id, a.extension.outs)),
      service: await refreshed(web.read(a.service.id, a.service.outs)),
      deploy: await refreshed(dep.read(a.deploy.id, a.deploy.outs)),
    };
    const id = a.database.id;
    const name = a.database.inputs.name;
    assert.deepEqual(
      { ...results, database: results.database.slice(0, 7) },
      { database: "error: ", extension: "gone", service: "kept", deploy: "kept" },
    );
    const message = results.database.slice("error: ".length);
    assert.equal(
      message,
      `database ${name} (${id}) no longer exists on Render: it was deleted outside Pulumi. Pulumi does not ` +
        "recreate it on its own (a new database would be empty), and nothing is changed until you choose. " +
        `To manage one restored or made by hand: \`RENDER_FORGET_DELETED=${id} pulumi refresh --yes\`, then ` +
        "set adoptId to its dpg-… id on the resource, then `pulumi up`. " +
        `To make a new, empty database (its data is not restored): \`RENDER_FORGET_DELETED=${id} pulumi refresh ` +
        "--yes`, then `pulumi up`",
    );

    // Without a refresh (`--refresh=false`): the database's diff says the same; the linked ones plan a change.
    await assert.rejects(db.diff!(a.database.id, a.database.outs, a.database.inputs), (err: Error) => {
      assert.equal(err.message, message);
      return true;
    });
    // The arrakis program passes its advice: the way back is its own command.
    const advice = appAdvice(arrakisConfigNames);
    await assert.rejects(
      db.diff!(a.database.id, a.database.outs, { ...a.database.inputs, advice: advice.database }),
      (err: Error) => {
        assert.equal(
          err.message,
          message.replace(
            "set adoptId to its dpg-… id on the resource",
            "`pulumi config set --path arrakis:database.importId dpg-…` (the arrakis app)",
          ),
        );
        return true;
      },
    );
    assert.equal((await ext.diff!(a.extension.id, a.extension.outs, a.extension.inputs)).changes, true);
    assert.equal((await web.diff!(a.service.id, a.service.outs, a.service.inputs)).changes, true);

    // Only the id named in RENDER_FORGET_DELETED is dropped by a refresh.
    process.env[forgetDeletedVariable] = "dpg-someotherdatabase0";
    await assert.rejects(db.read(a.database.id, a.database.outs), /no longer exists on Render/);
    process.env[forgetDeletedVariable] = `srv-x, ${a.database.id}`;
    assert.deepEqual(await db.read(a.database.id, a.database.outs), {});
  });
});
