/**
 * The dynamic provider behind `RenderWorkflow`: a Render Workflow (`/workflows`) and the whole set of its
 * env vars, diffed against what is live so that dashboard changes show in `pulumi preview`. Env vars are
 * read and replaced at `/services/{id}/env-vars` as a service's (UNCONFIRMED for a workflow: the spec has
 * no workflow env var route; emulator/routes/workflows.ts), with the services' env var steps.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkWorkflowInputs,
  diffWorkflow,
  fromWorkflow,
  hasUnknownSettings,
  toCreateWorkflowBody,
  toPatchWorkflowBody,
  workflowAdoptionChanges,
  type WorkflowInputs,
} from "./mapping";
import {
  convergeEnvVars,
  envVarsAsRead,
  envVarsDiffer,
  envVarsForCreate,
  generatedOf,
  liveEnv,
  liveEnvAndLinks,
  linkSources,
} from "../service/envVars";
import { serviceSecretOutputs } from "../service/provider";
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
import type { Workflow } from "../render/schemas";

/** The provider's inputs: the schema's fields, and the program's `advice` for messages. */
export type WorkflowProviderInputs = Advised<WorkflowInputs>;

/** What a `RenderWorkflow` holds in state: its inputs plus what Render reports. */
export interface WorkflowOutputs extends WorkflowProviderInputs {
  /** The slug tasks are called by: `<slug>/<task>` (e.g. `RENDER_WORKFLOW_SLUG` of a trigger). */
  slug: string;
  /** Link to the workflow in Render's dashboard (path UNCONFIRMED). */
  dashboardUrl: string;
  /** Keys of the env vars set on the workflow (values are never outputs). */
  envVarKeys: string[];
  /** Secret: the values Render generated for `generated` env vars, kept so nothing regenerates them. */
  generatedValues: Record<string, string>;
}

/** Outputs that are secrets without a secret input of the same name (as a service's). */
export const workflowSecretOutputs = serviceSecretOutputs;

const words = { noun: "workflow", idHint: "the wfl-… id of its dashboard URL" };

/** The dashboard's path for a workflow is UNCONFIRMED (the spec has no dashboardUrl for it). */
function dashboardUrlOf(id: string): string {
  return `https://dashboard.render.com/workflows/${id}`;
}

function reportOf(
  live: Workflow,
  env: Record<string, string>,
  generatedValues: Record<string, string>,
): Pick<WorkflowOutputs, "slug" | "dashboardUrl" | "envVarKeys" | "generatedValues"> {
  return {
    slug: live.slug ?? live.name,
    dashboardUrl: dashboardUrlOf(live.id),
    envVarKeys: Object.keys(env).sort(),
    generatedValues,
  };
}

/** The `ResourceProvider` of Render Workflows. */
export class WorkflowProvider implements pulumi.dynamic.ResourceProvider<
  WorkflowProviderInputs,
  WorkflowOutputs
> {
  private config: RenderProviderConfig = {};

  /** `report`: where the adoption report goes (default stderr, whose lines the engine shows). */
  constructor(private readonly report?: (line: string) => void) {}

  /** Reads `render:apiKey` and `render:apiUrl` from stack config: the key is never an input. */
  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = providerConfigFrom((key) => req.config.get(key));
  }

  /** Validates every field and env var key (names the property and the allowed values); reads only. */
  async check(
    olds: WorkflowProviderInputs,
    news: WorkflowProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<WorkflowProviderInputs>> {
    return checkNamedObject<WorkflowInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkWorkflowInputs,
      (inputs) =>
        reportAdoption(
          words.noun,
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await client.getWorkflow(inputs.adoptId!);
            if (live.name !== inputs.name || live.ownerId !== inputs.ownerId) return undefined;
            const [env, sources] = await Promise.all([
              liveEnv(client, live.id),
              linkSources(client, inputs.envVars),
            ]);
            return workflowAdoptionChanges(inputs, live, env, sources);
          },
          this.report,
        ),
    );
  }

  /**
   * Compares the desired settings and env vars with the live workflow, so drift made in the dashboard
   * shows. Options that live only in state (adoption, advice) never count as changes.
   */
  async diff(
    id: string,
    olds: WorkflowOutputs,
    news: WorkflowProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "workflow", id, name: news.name, advice: news.advice }, () =>
      client.getWorkflow(id),
    );
    if (hasUnknownSettings(news)) return { changes: true };
    const { changed, replaced } = diffWorkflow(news, live);
    const envDiffers = await envVarsDiffer(
      client,
      id,
      news.envVars,
      "",
      olds.generatedValues ?? {},
      isNotFound,
    );
    // A linked database deleted on Render: its own error says what to do; the links must change anyway.
    if (envDiffers === undefined)
      return { changes: true, replaces: replaced, deleteBeforeReplace: replaced.length > 0 };
    const envChanged = envDiffers;
    return {
      changes: changed.length > 0 || replaced.length > 0 || envChanged,
      replaces: replaced,
      // Names are unique in a workspace: the old workflow must go before its replacement comes.
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the workflow with every env var in the same call (its first version sees them all). */
  async create(inputs: WorkflowProviderInputs): Promise<pulumi.dynamic.CreateResult<WorkflowOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words,
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live) => live.ownerId,
      getById: (id) => client.getWorkflow(id),
      findByName: () =>
        findByName(
          client.listWorkflows({ name: [inputs.name], ownerId: [inputs.ownerId] }),
          inputs.name,
          inputs.ownerId,
          (wf) => wf.ownerId,
        ),
      replacedFields: (live) => diffWorkflow(inputs, live).replaced,
      create: async () =>
        client.createWorkflow(
          toCreateWorkflowBody(inputs, await envVarsForCreate(client, inputs.envVars, "")),
        ),
      isNotFound,
      isOutcomeUnknown,
    });
    const live = once.how === "created" ? once.created : once.live;
    try {
      return { id: live.id, outs: await this.converge(client, live.id, inputs, {}) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw Object.assign(
        new Error(
          `could not finish creating workflow ${inputs.name} (${live.id}): ${reason}. It exists and is ` +
            "kept in the stack's state; run `pulumi up` again to finish",
        ),
        { id: live.id, properties: { ...inputs, ...reportOf(live, {}, {}) }, reasons: [reason] },
      );
    }
  }

  /** Reads the live workflow and env vars (refresh and import). Values set outside Pulumi stay hidden. */
  async read(id: string, props?: WorkflowOutputs): Promise<pulumi.dynamic.ReadResult<WorkflowOutputs>> {
    const client = renderClientFrom(this.config);
    const managed = props?.envVars ?? {};
    const lookups = renderClientFrom(this.config, { reuseReads: true });
    const [found, envAndLinks] = await Promise.allSettled([
      client.getWorkflow(id),
      liveEnvAndLinks(client, lookups, id, managed),
    ]);
    const live = liveForRead({ what: "workflow", id, name: props?.name, advice: props?.advice }, found);
    if (live === undefined) return {};
    if (envAndLinks.status === "rejected") throw envAndLinks.reason;
    const { env, linked } = envAndLinks.value;
    const recorded = props?.generatedValues ?? {};
    const inputs = withAdvice<WorkflowInputs>(
      {
        ...fromWorkflow(live, props, props === undefined),
        envVars: envVarsAsRead(managed, env, linked, recorded, ""),
      },
      props?.advice,
    );
    const outs = { ...inputs, ...reportOf(live, env, generatedOf(managed, recorded, env)) };
    return { id, props: outs, inputs: inputs as WorkflowOutputs };
  }

  /** PATCHes settings and replaces the env var set when it differs from live. */
  async update(
    id: string,
    olds: WorkflowOutputs,
    news: WorkflowProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<WorkflowOutputs>> {
    const client = renderClientFrom(this.config);
    return { outs: await this.converge(client, id, news, olds.generatedValues ?? {}) };
  }

  /** Deletes the workflow; one already gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteWorkflow(id));
  }

  /** Brings a live workflow to the desired settings and env vars; answers the new outputs. */
  private async converge(
    client: RenderClient,
    id: string,
    inputs: WorkflowProviderInputs,
    recorded: Record<string, string>,
  ): Promise<WorkflowOutputs> {
    let live = await client.getWorkflow(id);
    const patch = toPatchWorkflowBody(inputs, live);
    if (patch) live = await client.updateWorkflow(id, patch);
    const { env, generatedValues } = await convergeEnvVars(client, id, inputs.envVars, "", recorded);
    // An adopted workflow keeps its live start command when the inputs give none.
    const settled = { ...inputs, runCommand: inputs.runCommand ?? live.runCommand };
    return { ...settled, ...reportOf(live, env, generatedValues) };
  }
}
