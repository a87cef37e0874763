/**
 * The dynamic provider shared by every service kind (`RenderWebService`, `RenderPrivateService`,
 * `RenderBackgroundWorker`, `RenderCronJob`): a Render service and the whole set of its env vars, diffed
 * against what is live so that dashboard changes show in `pulumi preview`. A kind subclasses it with its
 * {@link ServiceProviderKind}: its type, fields and words.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkServiceKindInputs,
  diffServiceSettings,
  fromAutoscaling,
  fromServiceSettings,
  predictedServiceUrl,
  sameRepo,
  sameScaling,
  serviceAdoptionChanges,
  toAutoscalingBody,
  toCreateServiceKindBody,
  toPatchServiceKindBody,
  type AnyServiceInputs,
  type LiveService,
  type ServiceKind,
} from "./mapping";
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
} from "./envVars";
import type { KindWords } from "../runtime/createOnce";
import { moveToEnvironment } from "../runtime/environment";
import { isUnknown } from "../runtime/validation";
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
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound } from "../render/errors";
import type { Service } from "../render/schemas";
import {
  hasLiveDeploy,
  hookPending,
  hookSkippedAdopted,
  runHookAfterFirstDeploy,
  runHookIfDeployed,
} from "./initialDeployHook";

export { changedHiddenValue, hiddenValue, secretDrift } from "./envVars";

/** A service kind as its provider sees it: the kind, and its words in create-once messages. */
export interface ServiceProviderKind extends ServiceKind {
  /** e.g. `{ noun: "background worker", idHint: "the srv-… id of its dashboard URL" }`. */
  words: KindWords;
}

/** What a service resource holds in state besides its inputs: what Render reports. */
export interface ServiceReport {
  /** The service's public URL (a web service only). */
  url?: string;
  /** Link to the service in Render's dashboard. */
  dashboardUrl: string;
  /** Whether the service is suspended on Render (its desired state is the input of the same name). */
  suspended: boolean;
  /** Keys of the env vars set on the service (values are never outputs). */
  envVarKeys: string[];
  /** Secret: the values Render generated for `generated` env vars, kept so nothing regenerates them. */
  generatedValues: Record<string, string>;
  /** The deploy Render started when it created the service. */
  initialDeployId: string;
  /**
   * With `initialDeployHook` only: the one-off job that ran it (`job-…`), "" while it is still to run,
   * or why it never will (an adopted service). See initialDeployHook.ts.
   */
  initialDeployHookJobId?: string;
}

/** Outputs that are secrets without a secret input of the same name. */
export const serviceSecretOutputs = ["generatedValues"];

function asLive(service: Service): LiveService {
  return service as unknown as LiveService;
}

function reportOf(
  kind: ServiceProviderKind,
  service: Service,
  env: Record<string, string>,
  generatedValues: Record<string, string>,
  initialDeployId: string,
): ServiceReport {
  return {
    ...(kind.publicUrl ? { url: service.serviceDetails.url ?? "" } : {}),
    dashboardUrl: service.dashboardUrl ?? `https://dashboard.render.com/web/${service.id}`,
    suspended: service.suspended === "suspended",
    envVarKeys: Object.keys(env).sort(),
    generatedValues,
    initialDeployId,
  };
}

/** A service's provider inputs: its kind's fields, and the program's `advice` (runtime/advice.ts). */
export type ServiceProviderInputs<Inputs extends AnyServiceInputs> = Advised<Inputs>;

/** What a service resource holds in state: its inputs plus what Render reports. */
export type ServiceOutputs<Inputs extends AnyServiceInputs> = Advised<Inputs> & ServiceReport;

/** The `ResourceProvider` of one kind of Render service. */
export class ServiceProvider<Inputs extends AnyServiceInputs> implements pulumi.dynamic.ResourceProvider<
  ServiceProviderInputs<Inputs>,
  ServiceOutputs<Inputs>
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(
    private readonly kind: ServiceProviderKind,
    private readonly report?: (line: string) => void,
  ) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field and env var key; reads, never writes. */
  async check(
    olds: ServiceProviderInputs<Inputs>,
    news: ServiceProviderInputs<Inputs>,
  ): Promise<pulumi.dynamic.CheckResult<ServiceProviderInputs<Inputs>>> {
    return checkNamedObject<Inputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      (raw) => checkServiceKindInputs(this.kind, raw),
      (inputs) => this.reportAdoption(inputs),
    );
  }

  /**
   * Writes what adopting the live service changes (adoptionChanges), before any write: in the preview
   * and again in the up. Reads only; a service that cannot be read is left to create's own message.
   */
  private async reportAdoption(inputs: ServiceProviderInputs<Inputs>): Promise<void> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    await reportAdoption(
      this.kind.words.noun,
      inputs,
      async () => {
        const service = await client.getService(inputs.adoptId!);
        if (service.name !== inputs.name || service.ownerId !== inputs.ownerId) return undefined;
        const [env, sources] = await Promise.all([
          liveEnv(client, service.id),
          linkSources(client, inputs.envVars),
        ]);
        return serviceAdoptionChanges(this.kind, inputs, asLive(service), env, sources);
      },
      this.report,
    );
  }

  /** Compares the desired settings and env vars with the live service. */
  async diff(
    id: string,
    olds: ServiceOutputs<Inputs>,
    news: ServiceProviderInputs<Inputs>,
  ): Promise<pulumi.dynamic.DiffResult> {
    // The refresh before it has just read the service and its env vars: reuse those answers.
    const client = renderClientFrom(this.config, { reuseReads: true });
    const service = await liveForDiff({ what: "service", id, name: news.name, advice: news.advice }, () =>
      client.getService(id),
    );
    if (
      isUnknown(news.name) ||
      isUnknown(news.region) ||
      isUnknown(news.ownerId) ||
      isUnknown(news.runtime) ||
      linksUnknown(news.envVars)
    )
      return { changes: true };
    const { changed, replaced } = diffServiceSettings(this.kind, news, asLive(service));
    const envChanged = await envVarsDiffer(
      client,
      id,
      news.envVars,
      service.serviceDetails.url ?? "",
      olds.generatedValues ?? {},
      isNotFound,
    );
    // A hook still to run (its first deploy had failed) runs at the up once a deploy is live.
    const hookDue =
      hookPending(news.initialDeployHook, olds.initialDeployHookJobId) && (await hasLiveDeploy(client, id));
    // A linked database deleted on Render: its own error says what to do; the links must change anyway.
    if (envChanged === undefined)
      return { changes: true, replaces: replaced, deleteBeforeReplace: replaced.length > 0 };
    return {
      changes: changed.length > 0 || replaced.length > 0 || envChanged || hookDue,
      replaces: replaced,
      // Names are unique in a workspace: the old service must go before its replacement comes.
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the service with every env var in the same call (the first deploy sees them all). */
  async create(
    inputs: ServiceProviderInputs<Inputs>,
  ): Promise<pulumi.dynamic.CreateResult<ServiceOutputs<Inputs>>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: this.kind.words,
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.ownerId,
      getById: (id) => client.getService(id),
      findByName: () =>
        findByName(
          client.listServices({ name: [inputs.name], ownerId: [inputs.ownerId], type: [this.kind.type] }),
          inputs.name,
          inputs.ownerId,
          (service) => service.ownerId,
        ),
      replacedFields: (live) => diffServiceSettings(this.kind, inputs, asLive(live)).replaced,
      create: async () =>
        client.createService(
          toCreateServiceKindBody(
            this.kind,
            inputs,
            await envVarsForCreate(client, inputs.envVars, predictedServiceUrl(inputs.name)),
          ),
        ),
      isNotFound,
      isOutcomeUnknown,
    });
    if (once.how === "adopted") {
      const outs = await this.converge(client, once.live.id, inputs, {}, "");
      // Its first deploy was before Pulumi: the hook is never run on an adopted service.
      if (inputs.initialDeployHook !== undefined) outs.initialDeployHookJobId = hookSkippedAdopted;
      return { id: once.live.id, outs };
    }
    const service = once.how === "created" ? once.created.service : once.live;
    const deployId = once.how === "created" ? (once.created.deployId ?? "") : "";
    try {
      const outs = await this.converge(client, service.id, inputs, {}, deployId);
      if (inputs.initialDeployHook !== undefined)
        outs.initialDeployHookJobId = await runHookAfterFirstDeploy(
          client,
          service.id,
          deployId,
          inputs.initialDeployHook,
          this.report ?? ((line) => process.stderr.write(`${line}\n`)),
        );
      return { id: service.id, outs };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not finish creating ${this.kind.words.noun} ${inputs.name} (${service.id}): ${reason}. It exists and ` +
            "is kept in the stack's state; run `pulumi up` again to finish",
        ),
        {
          id: service.id,
          properties: {
            ...inputs,
            ...reportOf(this.kind, service, {}, {}, deployId),
            dashboardUrl: service.dashboardUrl ?? "",
          },
          reasons: [reason],
        },
      );
    }
  }

  /** Reads the live service and env vars (refresh and import). Values set outside Pulumi stay hidden. */
  async read(
    id: string,
    props?: ServiceOutputs<Inputs>,
  ): Promise<pulumi.dynamic.ReadResult<ServiceOutputs<Inputs>>> {
    const client = renderClientFrom(this.config);
    const managed = props?.envVars ?? {};
    // The service, its env vars and the linked databases' connection info at once (bench P2); the
    // database's own refresh reads the same connection info: share it.
    const lookups = renderClientFrom(this.config, { reuseReads: true });
    const [found, envRead] = await Promise.allSettled([
      client.getService(id),
      liveEnvAndLinks(client, lookups, id, managed),
    ]);
    // Gone: a refresh drops it only when the user said so (see goneFromRender).
    const service = liveForRead({ what: "service", id, name: props?.name, advice: props?.advice }, found);
    if (service === undefined) return {};
    if (envRead.status === "rejected") throw envRead.reason;
    const { env, linked } = envRead.value;
    const recorded = props?.generatedValues ?? {};
    const envVars = envVarsAsRead(managed, env, linked, recorded, service.serviceDetails.url ?? "");
    const settings = fromServiceSettings(this.kind, asLive(service));
    // An environment the recorded inputs leave out stays out (an import reads it).
    if (props !== undefined && props.environmentId === undefined) delete settings.environmentId;
    // Another spelling of the same repository (`….git`) is not drift: keep the recorded one.
    if (props?.repo !== undefined && settings.repo !== undefined && sameRepo(props.repo, settings.repo))
      settings.repo = props.repo;
    // While Render autoscales, the live count is its autoscaler's, not drift: keep the recorded one.
    if (settings.scaling !== undefined && props?.numInstances !== undefined)
      settings.numInstances = props.numInstances;
    // Spellings of one Docker path (`Dockerfile`, `./Dockerfile`) are not drift either.
    for (const key of ["dockerfilePath", "dockerContext"] as const)
      if (props?.[key] !== undefined && settings[key] !== undefined) {
        const recorded = { ...settings, [key]: props[key] };
        if (!diffServiceSettings(this.kind, recorded, asLive(service)).changed.includes(key))
          settings[key] = props[key];
      }
    // The advice is the program's, not Render's: kept as recorded, so a refresh shows no drift of it.
    const inputs = withAdvice<Inputs>(
      {
        ...settings,
        envVars,
        adoptExisting: props?.adoptExisting ?? false,
        ...(props?.adoptId !== undefined ? { adoptId: props.adoptId } : {}),
        // Not a Render setting (nothing to read back): kept as recorded.
        ...(props?.initialDeployHook !== undefined ? { initialDeployHook: props.initialDeployHook } : {}),
      } as unknown as Inputs,
      props?.advice,
    );
    const generatedValues = generatedOf(managed, recorded, env);
    const outs = {
      ...inputs,
      ...reportOf(this.kind, service, env, generatedValues, props?.initialDeployId ?? ""),
      ...(props?.initialDeployHookJobId !== undefined
        ? { initialDeployHookJobId: props.initialDeployHookJobId }
        : {}),
    };
    return { id, props: outs, inputs: inputs as ServiceOutputs<Inputs> };
  }

  /** PATCHes settings, scales, and replaces the env var set when it differs from live. */
  async update(
    id: string,
    olds: ServiceOutputs<Inputs>,
    news: ServiceProviderInputs<Inputs>,
  ): Promise<pulumi.dynamic.UpdateResult<ServiceOutputs<Inputs>>> {
    const client = renderClientFrom(this.config);
    const outs = await this.converge(
      client,
      id,
      news,
      olds.generatedValues ?? {},
      olds.initialDeployId ?? "",
    );
    // Recorded once, never run again; still to run (its first deploy had failed): run once a deploy is live.
    const recorded = olds.initialDeployHookJobId;
    if (news.initialDeployHook !== undefined || recorded !== undefined)
      outs.initialDeployHookJobId = hookPending(news.initialDeployHook, recorded)
        ? await runHookIfDeployed(client, id, news.initialDeployHook!)
        : recorded;
    return { outs };
  }

  /** Deletes the service; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteService(id));
  }

  /** Brings a live service to the desired settings and env vars; answers the new outputs. */
  private async converge(
    client: RenderClient,
    id: string,
    inputs: ServiceProviderInputs<Inputs>,
    recorded: Record<string, string>,
    initialDeployId: string,
  ): Promise<ServiceOutputs<Inputs>> {
    let service = await client.getService(id);
    const patch = toPatchServiceKindBody(this.kind, inputs, asLive(service));
    if (patch) service = await client.updateService(id, patch);
    if (await moveToEnvironment(client, id, inputs.environmentId, service.environmentId))
      service = await client.getService(id);
    // Autoscaling before the count: a count set while Render autoscales is ignored.
    if ("scaling" in this.kind.fields) {
      const live = fromAutoscaling(service.serviceDetails.autoscaling);
      if (!sameScaling(inputs.scaling, live)) {
        if (inputs.scaling) await client.setAutoscaling(id, toAutoscalingBody(inputs.scaling));
        else await deleteIgnoringNotFound(() => client.deleteAutoscaling(id));
        service = await client.getService(id);
      }
    }
    if (
      inputs.numInstances !== undefined &&
      inputs.scaling === undefined &&
      (service.serviceDetails.numInstances ?? 1) !== inputs.numInstances
    ) {
      await client.scaleService(id, inputs.numInstances);
      service = await client.getService(id);
    }
    const { env, generatedValues } = await convergeEnvVars(
      client,
      id,
      inputs.envVars,
      service.serviceDetails.url ?? "",
      recorded,
    );
    // Suspension is desired state: a service suspended in the dashboard is resumed, and the other way.
    if ((service.suspended === "suspended") !== inputs.suspended) {
      if (inputs.suspended) await client.suspendService(id);
      else await client.resumeService(id);
      service = await client.getService(id);
    }
    return {
      ...inputs,
      ...reportOf(this.kind, service, env, generatedValues, initialDeployId),
    };
  }
}
