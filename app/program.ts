/**
 * `RenderBlueprintApp`: any Render app from its stack config in render.yaml's vocabulary
 * (components/blueprint/vocabulary.ts): each entry becomes its kind's resource, named by its render.yaml
 * name (services and databases are separate name spaces: their types differ, so do their URNs), and
 * env vars link to the others by name, the links kept out of state as the kinds keep them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppEntry, AppEnvVar, AppVocabulary } from "../components/blueprint/vocabulary";
import { renderExternalEnvVars, type BlueprintKindName } from "../components/blueprint/kinds";
import { RenderDisk } from "../components/disk/resource";
import { RenderKeyValue, type RenderKeyValueArgs } from "../components/keyValue/resource";
import { RenderPostgres, type RenderPostgresArgs } from "../components/postgres/resource";
import { PostgresExtension } from "../components/postgresExtension/resource";
import { RenderCustomDomain } from "../components/customDomain/resource";
import { RenderEnvGroup, type RenderEnvGroupArgs } from "../components/envGroup/resource";
import { RenderEnvGroupLink } from "../components/envGroupLink/resource";
import { RenderStaticSite, type RenderStaticSiteArgs } from "../components/staticSite/resource";
import type { RenderServiceBase } from "../components/service/resource";
import { RenderBackgroundWorker } from "../components/backgroundWorker/resource";
import { RenderPrivateService } from "../components/privateService/resource";
import { RenderCronJob } from "../components/cronJob/resource";
import { RenderWorkflow, type RenderWorkflowArgs } from "../components/workflow/resource";
import type { ConfigAdvice } from "../components/runtime/advice";
import {
  RenderWebService,
  type EnvVarSource,
  type RenderWebServiceArgs,
} from "../components/webService/resource";
import { deployTrigger, type AppConfigNames } from "./app";
import { RenderDeploy, type RenderDeployArgs } from "../components/deploy/resource";
import { RenderProject, type RenderProjectArgs } from "../components/project/resource";

/**
 * The port `fromService.property: port` gives: Render's default `PORT` (10000). UNCONFIRMED for a
 * service that binds another port (Render detects it); the safe, documented default.
 */
export const defaultServicePort = "10000";

/** Arguments of an app read from its stack config. */
export interface RenderBlueprintAppArgs {
  /** The app's entries (readAppVocabulary). */
  app: AppVocabulary;
  /** `<namespace>:secrets`, the values of `sync: false` env vars (a secret map). */
  secrets?: pulumi.Input<Record<string, string>>;
  /** How messages name the program and its config (`<namespace>:services[0].importId`). */
  configNames: AppConfigNames;
  /**
   * How `pulumi up` deploys each web service: a RenderDeploy `<service>-deploy` that deploys when the
   * service's env vars or build/run settings change, waits for live and probes its health check path.
   * `false` or absent: Render's own deploys only.
   */
  deploy?: false | Omit<RenderDeployArgs, "serviceId" | "trigger" | "commit">;
}

/** What the resources of the entries built so far offer links. */
interface Built {
  databases: Map<string, RenderPostgres>;
  keyValues: Map<string, RenderKeyValue>;
  services: Map<string, RenderWebService>;
  staticSites: Map<string, RenderStaticSite>;
  envGroups: Map<string, RenderEnvGroup>;
  /** Background workers, private services and cron jobs. */
  privateServices: Map<string, RenderServiceBase>;
  /** Render Workflows (absent: none built yet). */
  workflows?: Map<string, RenderWorkflow>;
  entries: Map<string, AppEntry>;
}

/** Everything one entry's resource needs besides its own args. */
interface KindContext {
  entry: AppEntry;
  built: Built;
  envVars: Record<string, EnvVarSource>;
  advice: ConfigAdvice;
  opts: pulumi.CustomResourceOptions;
  secrets: pulumi.Input<Record<string, string>> | undefined;
}

/**
 * How each kind's resource is built from its entry: one small entry per kind (the others plug in here as
 * they land), in dependency order (databases and Key Values before the services that link to them).
 */
const builders: Partial<Record<BlueprintKindName, (ctx: KindContext) => pulumi.CustomResource>> = {
  envGroup: ({ entry, built, advice, opts, secrets }) => {
    // Its `sync: false` vars take their values from the stack's secret map; the others are its fields.
    const secretKeys = entry.envVars.flatMap((v) => ("secretKey" in v ? [v.secretKey] : []));
    const declared = (entry.args.envVars ?? {}) as Record<
      string,
      { value: string } | { generateValue: true }
    >;
    const envVars =
      secretKeys.length === 0
        ? declared
        : pulumi.output(secrets ?? {}).apply((s) => ({
            ...declared,
            ...Object.fromEntries(secretKeys.map((k) => [k, { value: s[k] ?? "" }])),
          }));
    const group = new RenderEnvGroup(
      entry.name,
      {
        ...(entry.args as unknown as RenderEnvGroupArgs),
        envVars,
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, ...(entry.protect !== undefined ? { protect: entry.protect } : {}) },
    );
    built.envGroups.set(entry.name, group);
    return group;
  },
  postgres: ({ entry, built, advice, opts }) => {
    const database = new RenderPostgres(
      entry.name,
      {
        ...(entry.args as unknown as RenderPostgresArgs),
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, protect: entry.protect ?? true },
    );
    built.databases.set(entry.name, database);
    for (const extension of entry.extensions ?? [])
      new PostgresExtension(
        `${entry.name}-${extension}`,
        { postgresId: database.id, extension },
        { parent: opts.parent, dependsOn: [database] },
      );
    return database;
  },
  keyValue: ({ entry, built, advice, opts }) => {
    const keyValue = new RenderKeyValue(
      entry.name,
      {
        ...(entry.args as unknown as RenderKeyValueArgs),
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, protect: entry.protect ?? true },
    );
    built.keyValues.set(entry.name, keyValue);
    return keyValue;
  },
  webService: ({ entry, built, envVars, advice, opts }) => {
    const service = new RenderWebService(
      entry.name,
      {
        ...(entry.args as unknown as Omit<RenderWebServiceArgs, "envVars">),
        envVars,
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, ...(entry.protect !== undefined ? { protect: entry.protect } : {}) },
    );
    built.services.set(entry.name, service);
    return service;
  },
  backgroundWorker: (ctx) => privateService(RenderBackgroundWorker, ctx),
  privateService: (ctx) => privateService(RenderPrivateService, ctx),
  cronJob: (ctx) => privateService(RenderCronJob, ctx),
  workflow: ({ entry, built, envVars, advice, opts }) => {
    const workflow = new RenderWorkflow(
      entry.name,
      {
        ...(entry.args as unknown as Omit<RenderWorkflowArgs, "envVars">),
        envVars,
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, ...(entry.protect !== undefined ? { protect: entry.protect } : {}) },
    );
    built.workflows?.set(entry.name, workflow);
    return workflow;
  },
  staticSite: ({ entry, built, envVars, advice, opts }) => {
    const site = new RenderStaticSite(
      entry.name,
      {
        ...(entry.args as unknown as Omit<RenderStaticSiteArgs, "envVars">),
        envVars,
        ...(entry.importId ? { adoptId: entry.importId } : {}),
        advice,
      },
      { ...opts, ...(entry.protect !== undefined ? { protect: entry.protect } : {}) },
    );
    built.staticSites.set(entry.name, site);
    return site;
  },
};

/** A service without a public URL (worker, private service, cron job) with its env vars. */
function privateService(
  Kind: new (name: string, args: never, opts?: pulumi.CustomResourceOptions) => RenderServiceBase,
  { entry, built, envVars, advice, opts }: KindContext,
): RenderServiceBase {
  const service = new Kind(
    entry.name,
    {
      ...entry.args,
      envVars,
      ...(entry.importId ? { adoptId: entry.importId } : {}),
      advice,
    } as never,
    { ...opts, ...(entry.protect !== undefined ? { protect: entry.protect } : {}) },
  );
  built.privateServices.set(entry.name, service);
  return service;
}

/** The order kinds are built in: what others link to first. */
const buildOrder: BlueprintKindName[] = [
  "envGroup",
  "postgres",
  "keyValue",
  "privateService",
  "backgroundWorker",
  "cronJob",
  "workflow",
  "staticSite",
  "webService",
];

/**
 * `ordered` with each service after the services whose RENDER_EXTERNAL_URL/HOSTNAME it links (their
 * `url` output, also through a var of theirs that links their own) or whose generated value it links
 * (their state), otherwise unchanged; a loop of such links is an error (neither value exists first). A
 * service's link to its own URL is no edge: its provider keeps that var equal to its URL.
 */
function afterLinkedUrls(ordered: AppEntry[]): AppEntry[] {
  const byName = new Map(ordered.filter((e) => e.section === "services").map((e) => [e.name, e]));
  const out: AppEntry[] = [];
  const visiting: string[] = [];
  const visit = (entry: AppEntry) => {
    if (out.includes(entry)) return;
    const key = `${entry.section}/${entry.name}`;
    if (visiting.includes(key))
      throw new Error(
        `fromService links of URLs or generated values loop: ${[...visiting, key].join(" -> ")}`,
      );
    visiting.push(key);
    for (const v of entry.envVars)
      if ("fromService" in v && v.fromService.name !== entry.name) {
        const target = byName.get(v.fromService.name);
        if (
          target &&
          (isExternalLink(v.fromService, target) ||
            linksGenerated(v.fromService, target) ||
            linksOwnAddress(v.fromService, target))
        )
          visit(target);
      }
    visiting.pop();
    out.push(entry);
  };
  ordered.forEach(visit);
  return out;
}

/** A `fromService.envVarKey` link to a value Render generates on the target (read from its state). */
function linksGenerated(link: { envVarKey?: string }, target: AppEntry | undefined): boolean {
  return (
    link.envVarKey !== undefined &&
    (target?.envVars.some((t) => "key" in t && t.key === link.envVarKey && "generateValue" in t) ?? false)
  );
}

/** A `fromService.envVarKey` link to a var of the target that links the target's own URL. */
function linksOwnAddress(link: { envVarKey?: string }, target: AppEntry): boolean {
  const theirs = target.envVars.find((t) => "key" in t && t.key === link.envVarKey);
  return (
    theirs !== undefined &&
    "fromService" in theirs &&
    theirs.fromService.name === target.name &&
    isExternalLink(theirs.fromService, target)
  );
}

/** A `fromService.envVarKey` link to a var Render sets itself that the target does not declare. */
function isExternalLink(link: { envVarKey?: string }, target: AppEntry | undefined): boolean {
  return (
    link.envVarKey !== undefined &&
    (renderExternalEnvVars as readonly string[]).includes(link.envVarKey) &&
    !target?.envVars.some((t) => "key" in t && t.key === link.envVarKey)
  );
}

/**
 * One env var's source for the kinds: links by name become the linked resource (the provider reads the
 * value from Render when it writes it, so no connection string is an input); `sync: false` reads the
 * stack's secret map; a service's host and port are its name and Render's default port. `self` is the
 * name of the service whose var it is: a link to its own RENDER_EXTERNAL_URL/HOSTNAME is the service
 * kind's own-address source, kept equal to its URL by its provider (its URL exists only once it does).
 */
export function envVarSource(
  v: Exclude<AppEnvVar, { fromGroup: string }>,
  built: Built,
  secrets: pulumi.Input<Record<string, string>> | undefined,
  self?: string,
  seen: string[] = [],
): EnvVarSource {
  if ("value" in v) return { value: v.value };
  if ("generateValue" in v) return { generateValue: true };
  if ("secretKey" in v) {
    const key = v.secretKey;
    return { secret: pulumi.output(secrets ?? {}).apply((s) => s[key] ?? "") };
  }
  if ("fromDatabase" in v)
    return {
      fromDatabase: {
        database: built.databases.get(v.fromDatabase.name)!,
        property: v.fromDatabase.property,
      },
    };
  const link = v.fromService;
  if (link.type === "keyvalue" || link.type === "redis")
    return {
      fromKeyValue: {
        keyValue: built.keyValues.get(link.name)!,
        property: link.property ?? "connectionString",
      },
    };
  if (link.property === "host") return { value: link.name };
  if (link.property === "port") return { value: defaultServicePort };
  if (link.property === "hostport") return { value: `${link.name}:${defaultServicePort}` };
  // envVarKey: the same source as the other service's var (a generated one: its value, a secret).
  const target = built.entries.get(`services/${link.name}`);
  if (link.name === self && isExternalLink(link, target))
    return { fromService: link.envVarKey === "RENDER_EXTERNAL_URL" ? "url" : "hostname" };
  if (isExternalLink(link, target)) {
    // Render sets these on a web service or static site: its URL and that URL's hostname.
    const service = built.services.get(link.name) ?? built.staticSites.get(link.name);
    if (!service)
      throw new Error(`fromService ${link.name}.${link.envVarKey}: service ${link.name} is built later`);
    return {
      value:
        link.envVarKey === "RENDER_EXTERNAL_URL"
          ? service.url
          : service.url.apply((u) => (u ? new URL(u).hostname : u)),
    };
  }
  const theirs = target?.envVars.find((t) => "key" in t && t.key === link.envVarKey);
  const where = `${link.name}.${link.envVarKey}`;
  if (!theirs || !("key" in theirs))
    throw new Error(`fromService ${where}: service ${link.name} has no env var ${link.envVarKey}`);
  if (seen.includes(where)) throw new Error(`fromService links loop: ${[...seen, where].join(" -> ")}`);
  if ("generateValue" in theirs) {
    const service =
      built.services.get(link.name) ??
      built.privateServices.get(link.name) ??
      built.staticSites.get(link.name);
    if (!service)
      throw new Error(
        `fromService ${where}: a generated value is read from service ${link.name}, built later`,
      );
    const generated = (service as unknown as { generatedValues: pulumi.Output<Record<string, string>> })
      .generatedValues;
    const key = link.envVarKey!;
    return { secret: generated.apply((g) => g?.[key] ?? "") };
  }
  return envVarSource(theirs, built, secrets, undefined, [...seen, where]);
}

/** An app on Render built from its stack config: every service, database and Key Value, linked by name. */
export class RenderBlueprintApp extends pulumi.ComponentResource {
  /** The web services, by name. */
  readonly services: Map<string, RenderWebService>;
  /** The databases, by name. */
  readonly databases: Map<string, RenderPostgres>;
  /** The Key Value instances, by name. */
  readonly keyValues: Map<string, RenderKeyValue>;
  /** The background workers, private services and cron jobs, by name. */
  readonly privateServices: Map<string, RenderServiceBase>;
  /** The env groups, by name. */
  readonly envGroups: Map<string, RenderEnvGroup>;
  /** The static sites, by name. */
  readonly staticSites: Map<string, RenderStaticSite>;
  /** The projects (render.yaml `projects[]`), by name. */
  readonly projects: Map<string, RenderProject> = new Map();
  /** The Render Workflows, by name. */
  readonly workflows: Map<string, RenderWorkflow>;
  /** The deploys of the web services, by service name (unless turned off). */
  readonly deploys: Map<string, RenderDeploy> = new Map();

  constructor(name: string, args: RenderBlueprintAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("arrakis:render:Blueprint", name, {}, opts);
    const built: Built = {
      databases: new Map(),
      keyValues: new Map(),
      services: new Map(),
      staticSites: new Map(),
      envGroups: new Map(),
      privateServices: new Map(),
      workflows: new Map(),
      entries: new Map(args.app.entries.map((e) => [`${e.section}/${e.name}`, e])),
    };
    const { program, namespace } = args.configNames;
    const ordered = afterLinkedUrls(
      buildOrder.flatMap((kind) => args.app.entries.filter((e) => e.kind === kind)),
    );
    const unbuilt = args.app.entries.filter((e) => !buildOrder.includes(e.kind));
    if (unbuilt.length > 0)
      throw new Error(
        `this program cannot build ${unbuilt.map((e) => `${e.section} ${e.name} (${e.kind})`).join(", ")} yet`,
      );
    // render.yaml `projects[]`: each a RenderProject with its environments, made before what is placed in them.
    for (const project of args.app.projects ?? []) {
      const path = `${namespace}:projects[${project.index}]`;
      this.projects.set(
        project.name,
        new RenderProject(
          project.name,
          {
            name: project.name,
            ...(project.args as Pick<RenderProjectArgs, "environments">),
            ...(project.importId ? { adoptId: project.importId } : {}),
            advice: {
              program,
              configKeys: { adoptExisting: `${path}.adoptExisting`, adoptId: `${path}.importId` },
            },
          },
          { parent: this, ...(project.protect !== undefined ? { protect: project.protect } : {}) },
        ),
      );
    }
    for (const unplaced of ordered) {
      // `environment: <project>/<environment>`: the entry's environmentId is that environment's id.
      const place = unplaced.environment;
      const entry: AppEntry = place
        ? {
            ...unplaced,
            args: {
              ...unplaced.args,
              environmentId: this.projects.get(place.project)!.environmentId(place.name),
            },
          }
        : unplaced;
      const path = `${namespace}:${entry.section}[${entry.index}]`;
      const advice: ConfigAdvice = {
        program,
        configKeys: { adoptExisting: `${path}.adoptExisting`, adoptId: `${path}.importId` },
      };
      const envVars: Record<string, EnvVarSource> = {};
      for (const v of entry.envVars)
        if ("key" in v) envVars[v.key] = envVarSource(v, built, args.secrets, entry.name);
      const resource = builders[entry.kind]!({
        entry,
        built,
        envVars,
        advice,
        opts: { parent: this },
        secrets: args.secrets,
      });
      // render.yaml `fromGroup`: one link per service and group (RenderEnvGroupLink); a group the stack
      // does not declare is the workspace's group of that name, looked up by the link (never created).
      for (const v of entry.envVars)
        if ("fromGroup" in v) {
          const group = built.envGroups.get(v.fromGroup);
          new RenderEnvGroupLink(
            `${entry.name}-${v.fromGroup}`,
            group
              ? { serviceId: resource.id, envGroupId: group.id }
              : { serviceId: resource.id, envGroupName: v.fromGroup },
            { parent: this, dependsOn: group ? [resource, group] : [resource] },
          );
        }
      // render.yaml `domains`: one custom domain each (the apex/www sibling is Render's own).
      for (const domain of entry.domains ?? [])
        new RenderCustomDomain(
          `${entry.name}-${domain}`,
          { name: domain, serviceId: resource.id },
          { parent: this, dependsOn: [resource] },
        );
      // render.yaml `disk`: the service's persistent disk.
      if (entry.disk)
        new RenderDisk(
          `${entry.name}-${entry.disk.name}`,
          { ...entry.disk, serviceId: resource.id },
          {
            parent: this,
            dependsOn: [resource],
            ...(entry.protect !== undefined ? { protect: entry.protect } : {}),
          },
        );
      if (entry.kind === "webService" && args.deploy)
        this.deploys.set(
          entry.name,
          new RenderDeploy(
            `${entry.name}-deploy`,
            {
              ...args.deploy,
              serviceId: resource.id,
              trigger: deployTrigger(envVars, entry.args, { migrations: "" }),
              advice: {
                program,
                configKeys: { suspended: `${path}.suspended` },
              },
            },
            { parent: this, dependsOn: [resource] },
          ),
        );
    }
    this.services = built.services;
    this.databases = built.databases;
    this.keyValues = built.keyValues;
    this.staticSites = built.staticSites;
    this.envGroups = built.envGroups;
    this.privateServices = built.privateServices;
    this.workflows = built.workflows ?? new Map();
    this.registerOutputs({});
  }
}
