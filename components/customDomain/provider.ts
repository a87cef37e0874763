/**
 * The dynamic provider behind `RenderCustomDomain`: one custom domain of a web service or static site
 * (`/services/{id}/custom-domains`). Render adds the apex/www sibling of an apex or www name itself: the
 * provider reads only its own domain (the sibling is never drift), adopts a sibling Render added when
 * the program names it, and removes the sibling with its domain.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkCustomDomainInputs,
  diffCustomDomain,
  fromCustomDomain,
  isRenderSibling,
  pickDomain,
  siblingsOf,
  type CustomDomainInputs,
  type LiveCustomDomain,
} from "./mapping";
import { isUnknown, type InputFailure } from "../runtime/validation";
import { isOutcomeUnknown, type RenderClient } from "../render/client";
import { isNotFound, isRenderApiError } from "../render/errors";
import { collect } from "../render/pagination";
import type { CustomDomain } from "../render/schemas";
import { takeAdvice, withAdvice, type Advised } from "../runtime/advice";
import { providerConfigFrom, renderClientFrom, type RenderProviderConfig } from "../runtime/config";
import { createOnce } from "../runtime/createOnce";
import {
  deleteIgnoringNotFound,
  liveForDiff,
  liveForRead,
  reportAdoption,
} from "../runtime/providerSkeleton";

/** The provider's inputs. */
export type CustomDomainProviderInputs = Advised<CustomDomainInputs>;

/** What a `RenderCustomDomain` holds in state: its inputs plus what Render reports. */
export interface CustomDomainOutputs extends CustomDomainProviderInputs {
  /** `apex` or `subdomain`. */
  domainType: string;
  /** `verified` once Render found the DNS records, else `unverified`. */
  verificationStatus: string;
  /** The apex/www sibling Render added, redirecting to this domain ("" when none). */
  siblingName: string;
}

/** Service types that take custom domains (render.com/docs/custom-domains). */
const DOMAIN_SERVICE_TYPES = ["web_service", "static_site"];

function outputsOf(
  inputs: CustomDomainProviderInputs,
  live: LiveCustomDomain,
  sibling: string,
): CustomDomainOutputs {
  return {
    ...inputs,
    domainType: live.domainType,
    verificationStatus: live.verificationStatus,
    siblingName: sibling,
  };
}

/** The `ResourceProvider` of custom domains. */
export class CustomDomainProvider implements pulumi.dynamic.ResourceProvider<
  CustomDomainProviderInputs,
  CustomDomainOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /**
   * Validates every field, then that a new `serviceId` is a web service or static site the key sees
   * (a read, before any write).
   */
  async check(
    olds: CustomDomainProviderInputs,
    news: CustomDomainProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<CustomDomainProviderInputs>> {
    const {
      fields,
      advice,
      failures: adviceFailures,
    } = takeAdvice(news as unknown as Record<string, unknown>);
    const { inputs, failures } = checkCustomDomainInputs(fields);
    failures.push(...adviceFailures);
    const serviceId = inputs.serviceId;
    if (
      failures.length === 0 &&
      typeof serviceId === "string" &&
      !isUnknown(serviceId) &&
      olds?.serviceId !== serviceId
    )
      failures.push(...(await this.serviceProblem(serviceId)));
    const checked = withAdvice(inputs as unknown as CustomDomainInputs, advice);
    if (failures.length === 0 && olds?.name === undefined && checked.adoptId && !isUnknown(checked.adoptId))
      await reportAdoption(
        "custom domain",
        { name: checked.name, ownerId: checked.serviceId, adoptId: checked.adoptId },
        async () => {
          const client = renderClientFrom(this.config, { reuseReads: true });
          const live = await client.getCustomDomain(checked.serviceId, checked.adoptId!);
          // Another name: create's own message says so. Nothing of a domain changes in place.
          return live.name === checked.name ? [] : undefined;
        },
        this.report,
      );
    return { inputs: checked, failures };
  }

  private async serviceProblem(serviceId: string): Promise<InputFailure[]> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    try {
      const service = await client.getService(serviceId);
      if (DOMAIN_SERVICE_TYPES.includes(service.type)) return [];
      return [
        {
          property: "serviceId",
          reason: `service ${service.name} (${serviceId}) is a ${service.type}: only web services and static sites take custom domains`,
        },
      ];
    } catch (err) {
      if (isNotFound(err))
        return [
          { property: "serviceId", reason: `no service ${serviceId} in the workspaces of the API key` },
        ];
      throw err;
    }
  }

  /** Compares with the live domain: another name or service is a replacement, guarded by allowReplacement. */
  async diff(
    id: string,
    olds: CustomDomainOutputs,
    news: CustomDomainProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "custom domain", id, name: olds.name, advice: news.advice }, () =>
      client.getCustomDomain(olds.serviceId, id),
    );
    if (isUnknown(news.name) || isUnknown(news.serviceId)) return { changes: true };
    const { changed, replaced } = diffCustomDomain(news, live, olds.serviceId);
    const verifyNow = news.verify && live.verificationStatus !== "verified";
    if (replaced.length > 0 && !news.allowReplacement)
      throw new Error(
        `could not plan custom domain ${olds.name} (${id}): changing ${replaced.join(", ")} means removing ` +
          "it and adding another domain (unverified, without a certificate until its DNS is checked). " +
          "Keep the old value, or set `allowReplacement: true` on the resource to do it on purpose",
      );
    return {
      changes: changed.length > 0 || replaced.length > 0 || verifyNow,
      replaces: replaced,
      // One name is on one service at a time: remove it before adding it again.
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /**
   * Adds the domain (never twice: an unknown outcome is looked up by name), or adopts it: by `adoptId`,
   * by name with `adoptExisting`, or, without asking, the sibling Render added for another domain.
   */
  async create(
    inputs: CustomDomainProviderInputs,
  ): Promise<pulumi.dynamic.CreateResult<CustomDomainOutputs>> {
    const client = renderClientFrom(this.config);
    const { serviceId, name } = inputs;
    const named = () =>
      client.getCustomDomain(serviceId, name).catch((err: unknown) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
    const existing = inputs.adoptId ? undefined : await named();
    let live: CustomDomain;
    if (existing && isRenderSibling(existing)) live = existing;
    else {
      const once = await createOnce({
        words: { noun: "custom domain", idHint: "the cdm-… id Render lists for the service" },
        advice: inputs.advice,
        name,
        ownerId: serviceId,
        adoptId: inputs.adoptId,
        adoptExisting: inputs.adoptExisting,
        ownerOf: () => serviceId,
        getById: (id) => client.getCustomDomain(serviceId, id),
        findByName: async () => existing ?? (await named()),
        replacedFields: () => [],
        create: async () => {
          try {
            return await client.createCustomDomain(serviceId, name);
          } catch (err) {
            // Render took the name meanwhile as the sibling of another domain added at the same time
            // (a program naming both example.com and www.example.com): that one is ours to adopt.
            if (!(isRenderApiError(err) && err.status === 409)) throw err;
            const sibling = await named();
            if (sibling && isRenderSibling(sibling)) return [sibling];
            throw err;
          }
        },
        isNotFound,
        isOutcomeUnknown,
      });
      if (once.how === "created") {
        const mine = pickDomain(once.created, name);
        live = mine ?? (await client.getCustomDomain(serviceId, name));
      } else live = once.live;
    }
    return { id: live.id, outs: await this.settle(client, inputs, live) };
  }

  /** Reads the live domain (the sibling Render added is reported as `siblingName`, never as drift). */
  async read(
    id: string,
    props?: CustomDomainOutputs,
  ): Promise<pulumi.dynamic.ReadResult<CustomDomainOutputs>> {
    if (!props?.serviceId)
      throw new Error(
        `could not read custom domain ${id}: its service is not known; adopt it with serviceId and adoptId instead of importing`,
      );
    const client = renderClientFrom(this.config);
    const [result] = await Promise.allSettled([client.getCustomDomain(props.serviceId, id)]);
    const live = liveForRead({ what: "custom domain", id, name: props.name, advice: props.advice }, result);
    if (live === undefined) return {};
    const inputs = withAdvice(fromCustomDomain(live, props.serviceId, props), props.advice);
    return {
      id,
      props: outputsOf(inputs, live, props.siblingName ?? ""),
      inputs: inputs as CustomDomainOutputs,
    };
  }

  /** Only `verify` changes in place: asks Render to check the DNS again. */
  async update(
    id: string,
    olds: CustomDomainOutputs,
    news: CustomDomainProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<CustomDomainOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await client.getCustomDomain(olds.serviceId, id);
    return { outs: await this.settle(client, news, live) };
  }

  /** Removes the domain and the sibling Render added for it; one already gone counts as removed. */
  async delete(id: string, props: CustomDomainOutputs): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteCustomDomain(props.serviceId, id));
    let domains: CustomDomain[];
    try {
      domains = await collect(client.listCustomDomains(props.serviceId));
    } catch (err) {
      if (isNotFound(err)) return; // the service is gone, and its domains with it
      throw err;
    }
    for (const sibling of siblingsOf(domains, props.name))
      await deleteIgnoringNotFound(() => client.deleteCustomDomain(props.serviceId, sibling.id));
  }

  /** Verifies when asked, then reads the domain and its sibling. Failures keep the domain in state. */
  private async settle(
    client: RenderClient,
    inputs: CustomDomainProviderInputs,
    live: CustomDomain,
  ): Promise<CustomDomainOutputs> {
    try {
      if (inputs.verify && live.verificationStatus !== "verified") {
        await client.verifyCustomDomain(inputs.serviceId, live.id);
        live = await client.getCustomDomain(inputs.serviceId, live.id);
      }
      const domains = await collect(client.listCustomDomains(inputs.serviceId));
      const sibling = siblingsOf(domains, live.name)[0]?.name ?? "";
      return outputsOf(inputs, live, sibling);
    } catch (err) {
      const reason = isRenderApiError(err) || err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not finish custom domain ${inputs.name} (${live.id}): ${reason}. The domain exists and is ` +
            "kept in the stack's state; run `pulumi up` again",
        ),
        {
          id: live.id,
          properties: outputsOf(inputs, live, ""),
          reasons: [reason],
        },
      );
    }
  }
}
