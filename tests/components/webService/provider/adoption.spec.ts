/**
 * RenderWebService provider against the emulator, method by method, as the provider host calls it.
 * Adoption of a service that already exists: refused by default, by adoptId or adoptExisting, never across regions.
 */
import { strict as assert } from "node:assert";
import { WebServiceProvider, type WebServiceOutputs } from "../../../../components/webService/provider";
import type { ServiceInputs } from "../../../../components/webService/mapping";
import { call, checked } from "../../../helpers/providers";
import { useWebServiceEmulator, type Emulator } from "./setup";
import { appAdvice, arrakisConfigNames } from "../../../../app/app";

/** The advice the arrakis program passes (index.ts). */
const arrakisAdvice = appAdvice(arrakisConfigNames);

describe("RenderWebService provider (emulator)", function () {
  this.timeout(60_000);
  const { state, service, services, env, args, created, allKinds } = useWebServiceEmulator();
  let provider: WebServiceProvider;
  let emu: Emulator;
  beforeEach(() => {
    ({ provider, emu } = state);
  });

  describe("create", () => {
    it("refuses a second service of the same name, naming the live one and how to adopt it", async () => {
      const first = await created();
      const inputs = await checked<ServiceInputs>(provider, args());
      await assert.rejects(provider.create(inputs), (err: Error) => {
        assert.match(err.message, new RegExp(`already has a service of that name \\(${first.id}\\)`));
        // The library names the resource's field; a program's advice adds its own command.
        assert.match(err.message, /set `adoptExisting: true` on the resource and run `pulumi up` again/);
        return true;
      });
      const advised = await checked<ServiceInputs>(provider, { ...args(), advice: arrakisAdvice.service });
      await assert.rejects(
        provider.create(advised),
        /set `adoptExisting: true` on the resource \(the arrakis app: `pulumi config set --path arrakis:service\.adoptExisting true`\) and run `pulumi up` again/,
      );
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
    });

    it("adopts exactly the service adoptId names, and refuses a missing one or one of another name without writing", async () => {
      const first = await created({ envVars: allKinds() });
      await call(emu.controlUrl, "DELETE", "/requests");
      await assert.rejects(
        provider.create(await checked<ServiceInputs>(provider, args({ adoptId: "srv-nosuchservice00000" }))),
        /could not adopt service srv-nosuchservice00000: no such service on Render/,
      );
      await assert.rejects(
        provider.create(
          await checked<ServiceInputs>(provider, args({ adoptId: first.id, name: "another-app" })),
        ),
        new RegExp(
          `could not adopt service ${first.id}: it is named "arrakis-web-\\d+", the resource "another-app"`,
        ),
      );
      const logged = (await call(emu.controlUrl, "GET", "/requests")).body as { method: string }[];
      assert.deepEqual(
        logged.filter((r) => r.method !== "GET"),
        [],
      );
      const inputs = await checked<ServiceInputs>(provider, args({ adoptId: first.id, envVars: allKinds() }));
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
      assert.equal(
        (await provider.diff!(first.id, adopted.outs as WebServiceOutputs, inputs)).changes,
        false,
      );
      const read = await provider.read!(first.id, adopted.outs as WebServiceOutputs);
      assert.equal((read.inputs as ServiceInputs).adoptId, first.id);
    });

    it("adopts the existing service when asked, converging settings and env vars", async () => {
      const first = await created({ envVars: { OLD: { kind: "plain", value: "1" } } });
      const inputs = await checked<ServiceInputs>(
        provider,
        args({ adoptExisting: true, plan: "standard", envVars: allKinds() }),
      );
      const adopted = await provider.create(inputs);
      assert.equal(adopted.id, first.id);
      assert.equal((await service(first.id)).serviceDetails.plan, "standard");
      const live = await env(first.id);
      assert.deepEqual(Object.keys(live).sort(), Object.keys(allKinds()).sort());
      assert.equal((await services()).filter((s) => s.name === inputs.name).length, 1);
      assert.equal(
        (await provider.diff!(first.id, adopted.outs as WebServiceOutputs, inputs)).changes,
        false,
      );
    });

    it("refuses to adopt a service whose region differs", async () => {
      await created();
      const inputs = await checked<ServiceInputs>(provider, args({ adoptExisting: true, region: "ohio" }));
      await assert.rejects(provider.create(inputs), /could not adopt service .*: its region differ/);
    });
  });
});
