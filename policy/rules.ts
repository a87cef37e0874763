/**
 * The arrakis guard rails as pure functions: resource properties (the provider inputs after `check`,
 * as the policy analyzer receives them) in, violation messages out. No `@pulumi/policy` here, so every
 * rule is table-testable; policies.ts wires them into the policy pack.
 */
import {
  cronJobUsdPerMinute,
  diskMonthlyUsd,
  keyValueMonthlyUsd,
  postgresMonthlyUsd,
  priceTable,
  webServiceMonthlyUsd,
  workerMonthlyUsd,
} from "../app/prices";
import { apiPlanSpelling } from "../components/render/enums";
import type { KeyValueInputs } from "../components/keyValue/schema";
import type { PostgresInputs } from "../components/postgres/schema";
import type { EnvVarInput, ServiceInputs } from "../components/webService/schema";

/** Type token of a Render database (components/postgres/resource.ts). */
export const postgresType = "pulumi-nodejs:dynamic/render:Postgres";
/** Type token of a Render web service (components/webService/resource.ts). */
export const webServiceType = "pulumi-nodejs:dynamic/render:WebService";
/** Type token of a Render Key Value (components/keyValue/resource.ts). */
export const keyValueType = "pulumi-nodejs:dynamic/render:KeyValue";
/** Type token of a background worker (components/backgroundWorker, issue 25). */
export const backgroundWorkerType = "pulumi-nodejs:dynamic/render:BackgroundWorker";
/** Type token of a private service (components/privateService, issue 25). */
export const privateServiceType = "pulumi-nodejs:dynamic/render:PrivateService";
/** Type token of a cron job (components/cronJob, issue 25). */
export const cronJobType = "pulumi-nodejs:dynamic/render:CronJob";
/** Type token of a static site (components/staticSite, issue 25). */
export const staticSiteType = "pulumi-nodejs:dynamic/render:StaticSite";
/** Type token of a service's persistent disk (components/disk, issue 25). */
export const diskType = "pulumi-nodejs:dynamic/render:Disk";
/** Type token of a Render Workflow (components/workflow, issue 25). */
export const workflowType = "pulumi-nodejs:dynamic/render:Workflow";
/** Type token of an env group (components/envGroup, issue 25). */
export const envGroupType = "pulumi-nodejs:dynamic/render:EnvGroup";

/** Every service kind, with the noun its messages use. */
export const serviceKinds = {
  [webServiceType]: "web service",
  [backgroundWorkerType]: "background worker",
  [privateServiceType]: "private service",
  [cronJobType]: "cron job",
  [staticSiteType]: "static site",
} as const;

/** A service kind's type token. */
export type ServiceType = keyof typeof serviceKinds;

/** True when `type` is the token of a service kind (web, worker, private, cron, static). */
export function isServiceType(type: string): type is ServiceType {
  return Object.prototype.hasOwnProperty.call(serviceKinds, type);
}

/**
 * What the rules read of a database: its provider inputs after `check` (components/postgres/schema.ts),
 * as the policy analyzer receives them. Plans in render.yaml's hyphen spelling and allow list entries
 * with render.yaml's `source` are tolerated too.
 */
export type PostgresProps = Partial<Pick<PostgresInputs, "name" | "highAvailability">> & {
  plan?: string;
  ipAllowList?: (Partial<PostgresInputs["ipAllowList"][number]> & { source?: string })[] | null;
};

/**
 * What the rules read of a web service: its provider inputs after `check` (components/webService/schema.ts),
 * as the policy analyzer receives them; of each env var only its kind, never its value. Any plan
 * spelling is tolerated (the provider's default is `starter`).
 */
export type WebServiceProps = Partial<
  Pick<ServiceInputs, "name" | "numInstances" | "autoDeploy" | "healthCheckPath">
> & {
  plan?: string;
  envVars?: Record<string, Partial<Pick<EnvVarInput, "kind">>>;
};

/**
 * What the rules read of a Key Value: its provider inputs after `check` (components/keyValue/schema.ts).
 * render.yaml's `source` for an allow list entry and any plan spelling are tolerated too.
 */
export type KeyValueProps = Partial<Pick<KeyValueInputs, "name" | "persistenceMode">> & {
  plan?: string;
  ipAllowList?: (Partial<KeyValueInputs["ipAllowList"][number]> & { source?: string })[] | null;
};

/**
 * What the rules read of any service kind (web service, background worker, private service, cron job,
 * static site): the fields the kinds share, as issue 25 gives them (the web service's names: `plan`,
 * `numInstances`, `autoDeploy`, `envVars` as key → `{kind, value}`; a static site has no plan, a cron job
 * no instances). Of each env var only its kind is read, never its value.
 */
export type AnyServiceProps = Partial<Pick<ServiceInputs, "name" | "numInstances" | "autoDeploy">> & {
  plan?: string;
  envVars?: Record<string, Partial<Pick<EnvVarInput, "kind">>>;
};

/** What the rules read of a disk: its service, name and size in GB (issue 25: growing only). */
export interface DiskProps {
  name?: string;
  serviceId?: string;
  sizeGB?: number;
}

/** What the rules read of an env group: its name and, of each var, only its kind (as a service's). */
export interface EnvGroupProps {
  name?: string;
  envVars?: Record<string, Partial<Pick<EnvVarInput, "kind">>>;
}

/** A CIDR block that matches every address: prefix length 0 (`0.0.0.0/0`, `::/0`). */
export function isOpenToEveryone(cidrBlock: string): boolean {
  return /\/0$/.test(cidrBlock.trim());
}

/** The entries of an allow list that let every address in (render.yaml's `source` read as `cidrBlock`). */
function openEntries(list: { cidrBlock?: string; source?: string }[] | null | undefined): string[] {
  return (list ?? []).map((entry) => entry.cidrBlock ?? entry.source ?? "").filter(isOpenToEveryone);
}

/** Rule: a production database must not accept connections from everywhere. */
export function publicAllowListViolations(db: PostgresProps): string[] {
  const open = openEntries(db.ipAllowList);
  if (open.length === 0) return [];
  return [
    `database ${db.name} accepts connections from any address: its IP allow list contains ${open.join(", ")}. ` +
      "List only the addresses that need access from outside Render (services on Render connect through " +
      "the private network), or set ipAllowList to [] for the private network only",
  ];
}

/** Rule: a production Key Value must not accept connections from everywhere (its data is one password away). */
export function keyValuePublicAccessViolations(kv: KeyValueProps): string[] {
  const open = openEntries(kv.ipAllowList);
  if (open.length === 0) return [];
  return [
    `Key Value ${kv.name} accepts connections from any address: its IP allow list contains ${open.join(", ")}. ` +
      "List only the addresses that need access from outside Render (services on Render connect through " +
      "the private network), or set ipAllowList to [] for the private network only",
  ];
}

/** Rule: a production service of any kind must not deploy on every push. */
export function autoDeployViolations(service: AnyServiceProps, kind = "web service"): string[] {
  if (service.autoDeploy !== true) return [];
  return [
    `${kind} ${service.name} deploys every push to its branch (autoDeploy: true) in a production stack. ` +
      "Set autoDeploy: false and deploy on purpose",
  ];
}

// A key "looks like a secret" when one of its words ends with one of these (API_KEY, APIKEY,
// NEXTAUTH_SECRET, GITHUB_TOKEN, DB_PASSWORD). Not PWD: that is the working directory.
const secretWord = /(KEYS?|SECRETS?|TOKENS?|PASSWORDS?|PASSWD)$/i;

/** True when an env var key looks like it holds a secret. */
export function looksLikeSecretKey(key: string): boolean {
  return key.split(/[^A-Za-z0-9]+/).some((word) => word !== "" && secretWord.test(word));
}

/**
 * Rule: an env var whose key looks like a secret must not be plain. Only the kind is read, never the
 * value: the analyzer receives values with their secret marks removed, so a plain env var is flagged
 * even when its value came from a secret (use `{ secret }`, which keeps it secret end to end).
 */
export function plainSecretEnvVarViolations(
  service: AnyServiceProps | EnvGroupProps,
  allowedKeys: string[] = [],
  kind = "web service",
): string[] {
  const allowed = new Set(allowedKeys);
  return Object.entries(service.envVars ?? {})
    .filter(([key, source]) => source?.kind === "plain" && looksLikeSecretKey(key) && !allowed.has(key))
    .map(([key]) => key)
    .sort()
    .map(
      (key) =>
        `${kind} ${service.name}: env var ${key} looks like a secret (its key names a KEY, SECRET, TOKEN or ` +
        "PASSWORD) but has a plain value, shown in previews and stored unencrypted in the state. " +
        "Pass it as { secret: config.requireSecret(...) } or { generateValue: true }",
    );
}

/** Postgres plans that expire: Render sets `expiresAt` on free databases (REFERENCE.md §3). */
export const defaultExpiringPlans = ["free"];

/** Rule: a production database must not be on a free or expiring plan. */
export function expiringPlanViolations(db: PostgresProps, expiringPlans = defaultExpiringPlans): string[] {
  if (db.plan === undefined) return [];
  const plan = apiPlanSpelling(db.plan);
  if (!expiringPlans.map(apiPlanSpelling).includes(plan)) return [];
  return [
    `database ${db.name} is on the ${plan} plan, which expires: Render deletes such a database and its data. ` +
      "Choose a paid plan such as basic_256mb",
  ];
}

/** Rule: a database must be protected (`protect` resource option) from deletion and replacement. */
export function deleteProtectionViolations(db: PostgresProps, protect: boolean): string[] {
  if (protect) return [];
  return [
    `database ${db.name} is not protected: pulumi destroy, or a change that replaces it, would delete it and ` +
      "its data. Set the protect resource option (RenderApp protects its database unless database.protect is false)",
  ];
}

/** Rule: a production Key Value should not be on the free plan, which keeps no data across a restart. */
export function keyValueFreePlanViolations(kv: KeyValueProps): string[] {
  if (kv.plan === undefined || apiPlanSpelling(kv.plan) !== "free") return [];
  return [
    `Key Value ${kv.name} is on the free plan, which has no persistence: a restart or maintenance empties it. ` +
      "Choose a paid plan such as starter if anything in it must survive",
  ];
}

/**
 * Rule: a Key Value whose data survives a restart should be protected from deletion and replacement. One
 * that keeps nothing (free plan, or `persistenceMode: off`: a cache) loses nothing it would not lose anyway.
 */
export function keyValueProtectionViolations(kv: KeyValueProps, protect: boolean): string[] {
  if (protect || kv.persistenceMode === "off") return [];
  if (kv.plan !== undefined && apiPlanSpelling(kv.plan) === "free") return [];
  return [
    `Key Value ${kv.name} is not protected: pulumi destroy, or a change that replaces it, would delete it and ` +
      "the data it persists. Set the protect resource option, or persistenceMode: off if it is only a cache",
  ];
}

/** Rule: a persistent disk must be protected: deleting it deletes the files on it (and its snapshots). */
export function diskProtectionViolations(disk: DiskProps, protect: boolean): string[] {
  if (protect) return [];
  return [
    `disk ${disk.name}${disk.serviceId ? ` of service ${disk.serviceId}` : ""} is not protected: pulumi destroy, ` +
      "or a change that replaces it, would delete it and the files on it. Set the protect resource option",
  ];
}

/** Rule: a web service should tell Render where to check its health. */
export function healthCheckViolations(service: WebServiceProps): string[] {
  if (typeof service.healthCheckPath === "string" && service.healthCheckPath.trim() !== "") return [];
  return [
    `web service ${service.name} has no health check path, so Render cannot check that a new deploy answers ` +
      'before it takes traffic. Set healthCheckPath, e.g. "/"',
  ];
}

/** One priced resource of a stack. */
export type PricedResource =
  | { type: typeof postgresType; props: PostgresProps }
  | { type: typeof webServiceType; props: WebServiceProps }
  | { type: typeof keyValueType; props: KeyValueProps }
  | {
      type:
        typeof backgroundWorkerType | typeof privateServiceType | typeof cronJobType | typeof staticSiteType;
      props: AnyServiceProps;
    }
  | { type: typeof diskType; props: DiskProps };

/** Type tokens of the resources that cost money (or say they cost nothing): the stack budget reads these. */
export const pricedTypes: readonly string[] = [
  postgresType,
  webServiceType,
  keyValueType,
  backgroundWorkerType,
  privateServiceType,
  cronJobType,
  staticSiteType,
  diskType,
];

/** Rounded to cents, so that sums of prices like $0.25 × 15 read as $3.75. */
const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * Monthly cost of a stack's Render resources, with the same price table as the program's own budget
 * check (app/stackConfig.ts `monthlyCost`). `unknown` lists the plans without a known price; `usageBased`
 * the resources billed by use (a cron job, by the minute of its runs), which the total leaves out.
 */
export function stackMonthlyCost(resources: PricedResource[]): {
  totalUsd: number;
  lines: string[];
  unknown: string[];
  usageBased: string[];
} {
  let totalUsd = 0;
  const lines: string[] = [];
  const unknown: string[] = [];
  const usageBased: string[] = [];
  const add = (usd: number | undefined, line: string, what: string) => {
    if (usd === undefined) unknown.push(what);
    else {
      totalUsd += usd;
      lines.push(`${line}: $${usd}`);
    }
  };
  for (const resource of resources) {
    if (resource.type === postgresType) {
      const plan = apiPlanSpelling(resource.props.plan ?? "");
      const usd = postgresMonthlyUsd(plan, resource.props.highAvailability === true);
      add(usd, `database ${resource.props.name} ${plan}`, `database ${resource.props.name} plan ${plan}`);
    } else if (resource.type === webServiceType) {
      const plan = resource.props.plan || "starter";
      const instances = resource.props.numInstances ?? 1;
      const usd = webServiceMonthlyUsd(plan, instances);
      const what = `web service ${resource.props.name}`;
      add(usd, `${what} ${plan} x${instances}`, `${what} plan ${plan}`);
    } else if (resource.type === backgroundWorkerType || resource.type === privateServiceType) {
      const plan = apiPlanSpelling(resource.props.plan || "starter");
      const instances = resource.props.numInstances ?? 1;
      const what = `${serviceKinds[resource.type]} ${resource.props.name}`;
      add(workerMonthlyUsd(plan, instances), `${what} ${plan} x${instances}`, `${what} plan ${plan}`);
    } else if (resource.type === keyValueType) {
      const plan = apiPlanSpelling(resource.props.plan ?? "");
      const what = `Key Value ${resource.props.name}`;
      add(keyValueMonthlyUsd(plan), `${what} ${plan}`, `${what} plan ${plan}`);
    } else if (resource.type === staticSiteType) {
      add(priceTable.staticSite, `static site ${resource.props.name}`, "");
    } else if (resource.type === diskType) {
      const size = resource.props.sizeGB;
      const what = `disk ${resource.props.name}`;
      const usd = size === undefined ? undefined : diskMonthlyUsd(size);
      add(usd, `${what} ${size} GB`, size === undefined ? `${what} (no sizeGB)` : `${what} of ${size} GB`);
    } else {
      const plan = apiPlanSpelling(resource.props.plan || "starter");
      const what = `cron job ${resource.props.name}`;
      const perMinute = cronJobUsdPerMinute(plan);
      if (perMinute === undefined) unknown.push(`${what} plan ${plan}`);
      else usageBased.push(`${what} ${plan}: $${perMinute} per minute of run time`);
    }
  }
  // The analyzer lists a stack's resources in no fixed order: sort, so a message reads the same each time.
  return {
    totalUsd: cents(totalUsd),
    lines: lines.sort(),
    unknown: unknown.sort(),
    usageBased: usageBased.sort(),
  };
}

/** Rule: the stack's monthly cost must not exceed its budget (none set: nothing to check). */
export function budgetViolations(
  resources: PricedResource[],
  monthlyBudgetUsd: number | undefined,
): string[] {
  if (monthlyBudgetUsd === undefined) return [];
  const cost = stackMonthlyCost(resources);
  if (cost.unknown.length > 0)
    return [
      `cannot check the monthly budget: no known price for ${cost.unknown.join(" and ")}. ` +
        "Add it to app/prices.ts",
    ];
  if (cost.totalUsd <= monthlyBudgetUsd) return [];
  const usage = cost.usageBased.length ? `, plus what its runs use (${cost.usageBased.join(", ")})` : "";
  return [
    `this stack would cost $${cost.totalUsd}/month${usage} (${cost.lines.join(", ")}; prices: ${priceTable.source}), ` +
      `over its budget of $${monthlyBudgetUsd} (policy config monthlyBudgetUsd). Choose smaller plans or raise the budget`,
  ];
}
