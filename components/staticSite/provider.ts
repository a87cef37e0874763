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

/** The provider's inputs: the schema's fields, and the program's `advice` for messages. */
export type StaticSiteProviderInputs = Advised<StaticSiteInputs>;

/** What a `RenderStaticSite` holds in state: its inputs plus what Render reports. */
export interface StaticSiteOutputs extends StaticSiteProviderInputs {
  /** The site's address on Render (`https://<slug>.onrender.com`). */
  url: string;
  /** Link to the site in Render's dashboard. */
  dashboardUrl: string;
}

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

function outputsOf(inputs: StaticSiteProviderInputs, live: LiveStaticSite): StaticSiteOutputs {
  return {
    ...inputs,
    url: live.site.serviceDetails.url ?? "",
    dashboardUrl: live.site.dashboardUrl ?? `https://dashboard.render.com/static/${live.site.id}`,
  };
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
            return staticSiteAdoptionChanges(inputs, live);
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
    _olds: StaticSiteOutputs,
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
    return {
      changes: changed.length > 0 || replaced.length > 0,
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
      create: () => client.createService(toCreateStaticSiteBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    const id = once.how === "created" ? once.created.service.id : once.live.id;
    if (once.how === "created") return { id, outs: await this.settle(client, id, inputs, "create") };
    // Adopted or recovered: bring it to the desired settings and rules.
    return { id, outs: await this.converge(client, id, inputs, once.live, "create") };
  }

  /** Reads the live site: outputs and the inputs it corresponds to (refresh and import). */
  async read(id: string, props?: StaticSiteOutputs): Promise<pulumi.dynamic.ReadResult<StaticSiteOutputs>> {
    const client = renderClientFrom(this.config);
    const [result] = await Promise.allSettled([readStaticSite(client, id)]);
    const live = liveForRead({ what: "service", id, name: props?.name, advice: props?.advice }, result);
    if (live === undefined) return {};
    // An import (no state yet) takes every live setting; a refresh keeps to the fields the state has.
    const inputs = withAdvice(fromStaticSite(live, props, props === undefined), props?.advice);
    return { id, props: outputsOf(inputs, live), inputs: inputs as StaticSiteOutputs };
  }

  /** PATCHes what differs, replaces the rules that differ, and starts a build when a build setting changed. */
  async update(
    id: string,
    _olds: StaticSiteOutputs,
    news: StaticSiteProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<StaticSiteOutputs>> {
    const client = renderClientFrom(this.config);
    return { outs: await this.converge(client, id, news, await readStaticSite(client, id), "update") };
  }

  /** Deletes the site; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteService(id));
  }

  private async converge(
    client: RenderClient,
    id: string,
    inputs: StaticSiteProviderInputs,
    live: LiveStaticSite,
    verb: "create" | "update",
  ): Promise<StaticSiteOutputs> {
    try {
      const { changed } = diffStaticSite(inputs, live);
      const patch = toPatchStaticSiteBody(inputs, live);
      if (Object.keys(patch).length > 0) await client.updateService(id, patch);
      if (changed.includes("headers")) await client.replaceHeaders(id, toHeadersBody(inputs));
      if (changed.includes("routes")) await client.replaceRoutes(id, toRoutesBody(inputs));
      // A PATCH changes the configuration only: a new build publishes it (REFERENCE.md §4).
      if (needsRedeploy(changed)) await client.createDeploy(id);
    } catch (err) {
      throw this.kept(err, id, inputs, verb);
    }
    return this.settle(client, id, inputs, verb);
  }

  /**
   * Reads the site back for its outputs. A failure here happens after the site exists: reject with its id
   * so the engine keeps it in state instead of orphaning it.
   */
  private async settle(
    client: RenderClient,
    id: string,
    inputs: StaticSiteProviderInputs,
    verb: "create" | "update",
  ): Promise<StaticSiteOutputs> {
    try {
      return outputsOf(inputs, await readStaticSite(client, id));
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
        properties: { ...inputs, url: "", dashboardUrl: `https://dashboard.render.com/static/${id}` },
        reasons: [reason],
      },
    );
  }
}

/** createOnce looks at `id` and `name` of what it finds. */
function withName(live: LiveStaticSite): LiveStaticSite & { id: string; name: string } {
  return Object.assign(live, { id: live.site.id, name: live.site.name });
}
