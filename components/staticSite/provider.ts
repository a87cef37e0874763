/**
 * The dynamic provider behind `RenderStaticSite`: check/diff/create/read/update/delete over Render's
 * `/services` API (type `static_site`) and the site's `/headers` and `/routes` rules. It runs from the
 * bundled providers package: it reaches only the Render client, the pure mapping and node built-ins, and
 * builds clients inside methods.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkStaticSiteInputs,
  diffStaticSite,
  fromStaticSite,
  needsRedeploy,
  staticSiteAdoptionChanges,
  toCreateStaticSiteBody,
  toHeadersBody,
  toPatchStaticSiteBody,
  toRoutesBody,
  type LiveStaticSite,
  type StaticSiteInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { predictedServiceUrl } from "../service/mapping";
import {
  convergeEnvVars,
  envVarsAsRead,
  envVarsDiffer,
  envVarsForCreate,
  generatedOf,
  linkSources,
  linksUnknown,
  liveEnv,
  liveEnvAndLinks,
} from "../service/envVars";
import { isOwnAddressKind, type EnvVarInput } from "../service/schema";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound, isRenderApiError } from "../render/errors";
import { collect } from "../render/pagination";
import { withAdvice, type Advised } from "../runtime/advice";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { createOnce } from "../runtime/createOnce";
import {
  checkNamedObject,
  deleteIgnoringNotFound,
  findByName,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../runtime/providerSkeleton";
import { moveToEnvironment } from "../runtime/environment";

/** The provider's inputs: the schema's fields, and the program's `advice` for messages. */
export type StaticSiteProviderInputs = Advised<StaticSiteInputs>;

/** What a `RenderStaticSite` holds in state: its inputs plus what Render reports. */
export interface StaticSiteOutputs extends StaticSiteProviderInputs {
  /** The site's address on Render (`https://<slug>.onrender.com`). */
  url: string;
  /** Link to the site in Render's dashboard. */
  dashboardUrl: string;
  /** Keys of the env vars set on the site (values are never outputs). */
  envVarKeys: string[];
  /** Secret: the values Render generated for `generated` env vars, kept so nothing regenerates them. */
  generatedValues: Record<string, string>;
}

/** Outputs that are secrets without a secret input of the same name. */
export const staticSiteSecretOutputs = ["generatedValues"];

/** Reads a static site and its rules; a service of another type is refused by name. */
export async function readStaticSite(client: RenderClient, id: string): Promise<LiveStaticSite> {
  const site = await client.getStaticSite(id);
  if (site.type !== "static_site")
    throw new Error(
      `service ${site.name} (${id}) is a ${site.type}, not a static site: use the resource of its kind`,
    );
  const [headers, routes] = await Promise.all([
    collect(client.listHeaders(id)),
    collect(client.listRoutes(id)),
  ]);
  return { site, headers, routes };
}

function outputsOf(
  inputs: StaticSiteProviderInputs,
  live: LiveStaticSite,
  env: Record<string, string>,
  generatedValues: Record<string, string>,
): StaticSiteOutputs {
  return {
    ...inputs,
    url: live.site.serviceDetails.url ?? "",
    dashboardUrl: live.site.dashboardUrl ?? `https://dashboard.render.com/static/${live.site.id}`,
    envVarKeys: Object.keys(env).sort(),
    generatedValues,
  };
}

/** The env vars of inputs (a state written before static sites took env vars has none). */
function envVarsOf(inputs: { envVars?: Record<string, EnvVarInput> }): Record<string, EnvVarInput> {
  return inputs.envVars ?? {};
}

/** The `ResourceProvider` of Render static sites. */
export class StaticSiteProvider implements pulumi.dynamic.ResourceProvider<
  StaticSiteProviderInputs,
  StaticSiteOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field (names the property and the allowed values); reads, never writes. */
  async check(
    olds: StaticSiteProviderInputs,
    news: StaticSiteProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<StaticSiteProviderInputs>> {
    return checkNamedObject<StaticSiteInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkStaticSiteInputs,
      (inputs) =>
        reportAdoption(
          "static site",
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await readStaticSite(client, inputs.adoptId!);
            if (live.site.name !== inputs.name || live.site.ownerId !== inputs.ownerId) return undefined;
            const [env, sources] = await Promise.all([
              liveEnv(client, live.site.id),
              linkSources(client, envVarsOf(inputs)),
            ]);
            return staticSiteAdoptionChanges(inputs, live, env, sources);
          },
          this.report,
        ),
    );
  }

  /**
   * Compares the desired state with the live site and its rules, so a change made in the dashboard shows
   * field by field. Options that live only in state (adoption, advice) never count as changes.
   */
  async diff(
    id: string,
    olds: StaticSiteOutputs,
    news: StaticSiteProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "service", id, name: news.name, advice: news.advice }, () =>
      readStaticSite(client, id),
    );
    if (isUnknown(news)) return { changes: true };
    const { changed, replaced } = diffStaticSite(news, live);
    if (replaced.length > 0 && !news.allowReplacement) {
      const now = fromStaticSite(live) as unknown as Record<string, unknown>;
      const what = replaced
        .map(
          (f) =>
            `${f} (live ${JSON.stringify(now[f] ?? null)}, wanted ${JSON.stringify(news[f as keyof StaticSiteInputs])})`,
        )
        .join(", ");
      throw new Error(
        `could not plan static site ${news.name} (${id}): changing ${what} would replace the site (a new ` +
          "address; its custom domains must be added again). Keep the old value, or set " +
          "`allowReplacement: true` on the resource to replace it on purpose",
      );
    }
    // The env vars, key by key, with the links' values read from Render (never stored).
    const envChanged = linksUnknown(envVarsOf(news))
      ? true
      : await envVarsDiffer(
          client,
          id,
          envVarsOf(news),
          live.site.serviceDetails.url ?? "",
          olds.generatedValues ?? {},
          isNotFound,
        );
    return {
      // undefined: a linked database is gone from Render; the links must change anyway.
      changes: changed.length > 0 || replaced.length > 0 || envChanged !== false,
      replaces: replaced,
      // Never two sites of one name at once (create-once refuses a second one).
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the site with its rules in one call (never a second one of the same name), or adopts one. */
  async create(inputs: StaticSiteProviderInputs): Promise<pulumi.dynamic.CreateResult<StaticSiteOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: { noun: "static site", idHint: "the srv-… id of its dashboard URL" },
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.site.ownerId,
      getById: async (id) => withName(await readStaticSite(client, id)),
      findByName: async () => {
        const found = await findByName(
          client.listServices({ name: [inputs.name], ownerId: [inputs.ownerId], type: ["static_site"] }),
          inputs.name,
          inputs.ownerId,
          (s) => s.ownerId,
        );
        return found && withName(await readStaticSite(client, found.id));
      },
      replacedFields: (live) => diffStaticSite(inputs, live).replaced,
      // The env vars go with the create, so the first build already sees them.
      create: async () =>
        client.createService(
          toCreateStaticSiteBody(
            inputs,
            await envVarsForCreate(client, envVarsOf(inputs), predictedServiceUrl(inputs.name)),
          ),
        ),
      isNotFound,
      isOutcomeUnknown,
    });
    const id = once.how === "created" ? once.created.service.id : once.live.id;
    const vars = envVarsOf(inputs);
    // Created with every env var: only its own URL or host name may differ (Render gave another address).
    if (once.how === "created" && !Object.values(vars).some((v) => isOwnAddressKind(v.kind)))
      return {
        id,
        outs: await this.settle(client, id, inputs, "create", {}, Object.keys(vars).length ? undefined : {}),
      };
    // Adopted or recovered: bring it to the desired settings, rules and env vars.
    const live = once.how === "created" ? await this.reread(client, id, inputs) : once.live;
    return { id, outs: await this.converge(client, id, inputs, live, "create", {}) };
  }

  /** Reads the live site: outputs and the inputs it corresponds to (refresh and import). */
  async read(id: string, props?: StaticSiteOutputs): Promise<pulumi.dynamic.ReadResult<StaticSiteOutputs>> {
    const client = renderClientFrom(this.config);
    const managed = envVarsOf(props ?? {});
    // The site, its env vars and the linked databases' connection info at once; the database's own
    // refresh reads the same connection info: share it.
    const lookups = renderClientFrom(this.config, { reuseReads: true });
    const [result, envRead] = await Promise.allSettled([
      readStaticSite(client, id),
      liveEnvAndLinks(client, lookups, id, managed),
    ]);
    const live = liveForRead({ what: "service", id, name: props?.name, advice: props?.advice }, result);
    if (live === undefined) return {};
    if (envRead.status === "rejected") throw envRead.reason;
    const { env, linked } = envRead.value;
    const recorded = props?.generatedValues ?? {};
    // An import (no state yet) takes every live setting; a refresh keeps to the fields the state has.
    const settings = fromStaticSite(live, props, props === undefined);
    // Env vars key by key: one set or changed outside Pulumi shows in the preview without its value.
    const envVars = envVarsAsRead(managed, env, linked, recorded, live.site.serviceDetails.url ?? "");
    const inputs = withAdvice({ ...settings, envVars } as StaticSiteInputs, props?.advice);
    return {
      id,
      props: outputsOf(inputs, live, env, generatedOf(managed, recorded, env)),
      inputs: inputs as StaticSiteOutputs,
    };
  }

  /** PATCHes what differs, replaces the rules that differ, and starts a build when a build setting changed. */
  async update(
    id: string,
    olds: StaticSiteOutputs,
    news: StaticSiteProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<StaticSiteOutputs>> {
    const client = renderClientFrom(this.config);
    return {
      outs: await this.converge(
        client,
        id,
        news,
        await readStaticSite(client, id),
        "update",
        olds.generatedValues ?? {},
      ),
    };
  }

  /** Deletes the site; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteService(id));
  }

  /**
   * Brings the site to the desired settings, rules and env vars (`recorded`: the generated values in
   * state, never regenerated), and starts a build when a build setting or an env var changed.
   */
  private async converge(
    client: RenderClient,
    id: string,
    inputs: StaticSiteProviderInputs,
    live: LiveStaticSite,
    verb: "create" | "update",
    recorded: Record<string, string>,
  ): Promise<StaticSiteOutputs> {
    let env: { env: Record<string, string>; generatedValues: Record<string, string> };
    try {
      const { changed } = diffStaticSite(inputs, live);
      const patch = toPatchStaticSiteBody(inputs, live);
      if (Object.keys(patch).length > 0) await client.updateService(id, patch);
      await moveToEnvironment(client, id, inputs.environmentId, live.site.environmentId);
      if (changed.includes("headers")) await client.replaceHeaders(id, toHeadersBody(inputs));
      if (changed.includes("routes")) await client.replaceRoutes(id, toRoutesBody(inputs));
      const vars = await convergeEnvVars(
        client,
        id,
        envVarsOf(inputs),
        live.site.serviceDetails.url ?? "",
        recorded,
      );
      env = vars;
      // A PATCH changes the configuration only: a new build publishes it (REFERENCE.md §4). A static
      // site's env vars are read by its build only, so a change builds too. UNCONFIRMED (no Render
      // source found): whether Render builds by itself after PUT …/env-vars; the safe choice builds.
      if (needsRedeploy(changed) || vars.written) await client.createDeploy(id);
    } catch (err) {
      throw this.kept(err, id, inputs, verb);
    }
    return this.settle(client, id, inputs, verb, env.generatedValues, env.env);
  }

  /** Reads the site just created (a failure keeps it in state, as settle's). */
  private async reread(
    client: RenderClient,
    id: string,
    inputs: StaticSiteProviderInputs,
  ): Promise<LiveStaticSite> {
    try {
      return await readStaticSite(client, id);
    } catch (err) {
      throw this.kept(err, id, inputs, "create");
    }
  }

  /**
   * Reads the site back for its outputs (`env`: its env vars when just written or known, else read
   * too). A failure here happens after the site exists: reject with its id so the engine keeps it in
   * state instead of orphaning it.
   */
  private async settle(
    client: RenderClient,
    id: string,
    inputs: StaticSiteProviderInputs,
    verb: "create" | "update",
    recorded: Record<string, string>,
    env?: Record<string, string>,
  ): Promise<StaticSiteOutputs> {
    try {
      const [live, vars] = await Promise.all([readStaticSite(client, id), env ?? liveEnv(client, id)]);
      return outputsOf(inputs, live, vars, generatedOf(envVarsOf(inputs), recorded, vars));
    } catch (err) {
      throw this.kept(err, id, inputs, verb);
    }
  }

  private kept(err: unknown, id: string, inputs: StaticSiteProviderInputs, verb: string): Error {
    const reason = isRenderApiError(err) || err instanceof Error ? err.message : String(err);
    return Object.assign(
      new Error(
        `could not ${verb} static site ${inputs.name} (${id}): ${reason}. The site exists and is kept in ` +
          "the stack's state; run `pulumi up` again",
      ),
      {
        id,
        properties: {
          ...inputs,
          url: "",
          dashboardUrl: `https://dashboard.render.com/static/${id}`,
          envVarKeys: [],
          generatedValues: {},
        },
        reasons: [reason],
      },
    );
  }
}

/** createOnce looks at `id` and `name` of what it finds. */
function withName(live: LiveStaticSite): LiveStaticSite & { id: string; name: string } {
  return Object.assign(live, { id: live.site.id, name: live.site.name });
}
