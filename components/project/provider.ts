/**
 * The dynamic provider behind `RenderProject`: check/diff/create/read/update/delete over Render's
 * `/projects` and `/environments` API. One resource holds the project and its environments; environments
 * are created, changed, renamed and deleted within it. It runs from the bundled providers package
 * (runtime/package.ts) and builds clients inside methods.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  checkProjectInputs,
  diffProject,
  environmentBody,
  environmentIdsOf,
  fromProject,
  planEnvironments,
  projectChanges,
  resourceCount,
  toCreateProjectBody,
  type LiveProject,
  type ProjectInputs,
} from "./mapping";
import { isUnknown } from "../runtime/validation";
import { RenderClient, isOutcomeUnknown } from "../render/client";
import { isNotFound } from "../render/errors";
import type { Project } from "../render/schemas";
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
export type ProjectProviderInputs = Advised<ProjectInputs>;

/** What a `RenderProject` holds in state: its inputs plus what Render reports. */
export interface ProjectOutputs extends ProjectProviderInputs {
  /** Each environment's id (`evm-…`) by name: the `environmentId` of the resources placed in it. */
  environmentIds: Record<string, string>;
}

/** Reads a project and its environments, in the project's order. */
export async function readLiveProject(
  client: RenderClient,
  id: string,
  project?: Project,
): Promise<LiveProject> {
  const p = project ?? (await client.getProject(id));
  const listed = [];
  for await (const env of client.listEnvironments(p.id)) listed.push(env);
  const order = (envId: string) => {
    const i = p.environmentIds.indexOf(envId);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  listed.sort((a, b) => order(a.id) - order(b.id));
  return { project: p, environments: listed };
}

/** The `ResourceProvider` of Render projects. */
export class ProjectProvider implements pulumi.dynamic.ResourceProvider<
  ProjectProviderInputs,
  ProjectOutputs
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
    olds: ProjectProviderInputs,
    news: ProjectProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<ProjectProviderInputs>> {
    return checkNamedObject<ProjectInputs>(
      this.config,
      olds,
      news as unknown as Record<string, unknown>,
      checkProjectInputs,
      (inputs) =>
        reportAdoption(
          "project",
          inputs,
          async () => {
            const client = renderClientFrom(this.config, { reuseReads: true });
            const live = await readLiveProject(client, inputs.adoptId!);
            if (live.project.name !== inputs.name || live.project.owner.id !== inputs.ownerId)
              return undefined;
            return projectChanges(inputs, live);
          },
          this.report,
        ),
    );
  }

  /**
   * Compares the desired project with the live one, so a rename or an environment changed in the
   * dashboard shows as drift. Options that live only in state never count as changes.
   */
  async diff(
    id: string,
    _olds: ProjectOutputs,
    news: ProjectProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const client = renderClientFrom(this.config, { reuseReads: true });
    const live = await liveForDiff({ what: "project", id, name: news.name, advice: news.advice }, () =>
      readLiveProject(client, id),
    );
    if (isUnknown(news) || isUnknown(news.environments)) return { changes: true };
    const { changed, replaced } = diffProject(news, live);
    if (replaced.length > 0 && !news.allowReplacement)
      throw new Error(
        `could not plan project ${news.name} (${id}): changing ownerId (live ${JSON.stringify(live.project.owner.id)}, ` +
          `wanted ${JSON.stringify(news.ownerId)}) would replace the project and give its environments new ids. ` +
          "Keep the old value, or set `allowReplacement: true` on the resource to replace it on purpose",
      );
    if (changed.includes("environments")) refuseDeletingNonEmpty(news, live, id);
    return {
      changes: changed.length > 0 || replaced.length > 0,
      replaces: replaced,
      deleteBeforeReplace: replaced.length > 0,
    };
  }

  /** Creates the project with its environments (never a second one of the same name). */
  async create(inputs: ProjectProviderInputs): Promise<pulumi.dynamic.CreateResult<ProjectOutputs>> {
    const client = renderClientFrom(this.config);
    const once = await createOnce({
      words: { noun: "project", idHint: "the prj-… id of its dashboard URL" },
      advice: inputs.advice,
      name: inputs.name,
      ownerId: inputs.ownerId,
      adoptId: inputs.adoptId,
      adoptExisting: inputs.adoptExisting,
      ownerOf: (live: Project) => live.owner.id,
      getById: (id) => client.getProject(id),
      findByName: () =>
        findByName(
          client.listProjects({ name: [inputs.name], ownerId: [inputs.ownerId] }),
          inputs.name,
          inputs.ownerId,
          (p) => p.owner.id,
        ),
      replacedFields: (live) => (live.owner.id === inputs.ownerId ? [] : ["ownerId"]),
      create: () => client.createProject(toCreateProjectBody(inputs)),
      isNotFound,
      isOutcomeUnknown,
    });
    const id = once.how === "created" ? once.created.id : once.live.id;
    // An adopted project, or one found after an unknown outcome, is brought to the inputs.
    const live = await this.apply(client, id, inputs);
    return { id, outs: { ...inputs, environmentIds: environmentIdsOf(live) } };
  }

  /** Reads the live project and its environments: outputs and the inputs they correspond to. */
  async read(id: string, props?: ProjectOutputs): Promise<pulumi.dynamic.ReadResult<ProjectOutputs>> {
    const client = renderClientFrom(this.config);
    const [settled] = await Promise.allSettled([readLiveProject(client, id)]);
    const live = liveForRead({ what: "project", id, name: props?.name, advice: props?.advice }, settled);
    if (live === undefined) return {};
    const inputs = withAdvice(fromProject(live, props), props?.advice);
    return {
      id,
      props: { ...inputs, environmentIds: environmentIdsOf(live) },
      inputs: inputs as ProjectOutputs,
    };
  }

  /** Renames the project and creates, changes, renames and deletes environments to match. */
  async update(
    id: string,
    _olds: ProjectOutputs,
    news: ProjectProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<ProjectOutputs>> {
    const client = renderClientFrom(this.config);
    const live = await this.apply(client, id, news);
    return { outs: { ...news, environmentIds: environmentIdsOf(live) } };
  }

  /** Deletes the project and its environments (Render refuses while they hold resources); gone counts as deleted. */
  async delete(id: string): Promise<void> {
    const client = renderClientFrom(this.config);
    await deleteIgnoringNotFound(() => client.deleteProject(id));
  }

  /**
   * Brings a live project to the inputs: every check first (no environment to delete may hold
   * resources), then the writes: rename, changes and renames, creations, deletions last (so the project
   * never runs out of environments). Returns the project as it is afterwards.
   */
  private async apply(client: RenderClient, id: string, inputs: ProjectInputs): Promise<LiveProject> {
    const live = await readLiveProject(client, id);
    refuseDeletingNonEmpty(inputs, live, id);
    if (inputs.name !== live.project.name) await client.updateProject(id, { name: inputs.name });
    const steps = planEnvironments(inputs.environments, live.environments);
    for (const step of steps) if (step.op === "update") await client.updateEnvironment(step.id, step.body);
    for (const step of steps)
      if (step.op === "create")
        await client.createEnvironment({ projectId: id, ...environmentBody(step.env) });
    for (const step of steps) if (step.op === "delete") await client.deleteEnvironment(step.live.id);
    return steps.length > 0 || inputs.name !== live.project.name ? readLiveProject(client, id) : live;
  }
}

/** Fails, naming the environments, when the inputs would delete environments that hold resources. */
function refuseDeletingNonEmpty(inputs: ProjectInputs, live: LiveProject, id: string): void {
  const held = planEnvironments(inputs.environments, live.environments).flatMap((s) =>
    s.op === "delete" && resourceCount(s.live) > 0
      ? [`${s.live.name} (${s.live.id}, ${resourceCount(s.live)} resources)`]
      : [],
  );
  if (held.length > 0)
    throw new Error(
      `could not change project ${inputs.name} (${id}): environments ${held.join(", ")} would be deleted but ` +
        "still hold resources. Move those resources to another environment (their environmentId) or delete " +
        "them first, or keep the environment; to rename one, give the new entry `renamedFrom: <old name>`",
    );
}
