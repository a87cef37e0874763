/**
 * The arrakis guard rails as pure functions: resource properties (the provider inputs after `check`,
 * as the policy analyzer receives them) in, violation messages out. No `@pulumi/policy` here, so every
 * rule is table-testable; policies.ts wires them into the policy pack.
 */
import { postgresMonthlyUsd, priceTable, webServiceMonthlyUsd } from "../app/prices";
import { apiPlanSpelling } from "../components/render/enums";
import type { PostgresInputs } from "../components/postgres/schema";
import type { EnvVarInput, ServiceInputs } from "../components/webService/schema";

/** Type token of a Render database (components/postgres/resource.ts). */
export const postgresType = "pulumi-nodejs:dynamic/render:Postgres";
/** Type token of a Render web service (components/webService/resource.ts). */
export const webServiceType = "pulumi-nodejs:dynamic/render:WebService";

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

/** A CIDR block that matches every address: prefix length 0 (`0.0.0.0/0`, `::/0`). */
export function isOpenToEveryone(cidrBlock: string): boolean {
  return /\/0$/.test(cidrBlock.trim());
}

/** Rule: a production database must not accept connections from everywhere. */
export function publicAllowListViolations(db: PostgresProps): string[] {
  const open = (db.ipAllowList ?? [])
    .map((entry) => entry.cidrBlock ?? entry.source ?? "")
    .filter(isOpenToEveryone);
  if (open.length === 0) return [];
  return [
    `database ${db.name} accepts connections from any address: its IP allow list contains ${open.join(", ")}. ` +
      "List only the addresses that need access from outside Render (services on Render connect through " +
      "the private network), or set ipAllowList to [] for the private network only",
  ];
}

/** Rule: a production web service must not deploy on every push. */
export function autoDeployViolations(service: WebServiceProps): string[] {
  if (service.autoDeploy !== true) return [];
  return [
    `web service ${service.name} deploys every push to its branch (autoDeploy: true) in a production stack. ` +
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
export function plainSecretEnvVarViolations(service: WebServiceProps, allowedKeys: string[] = []): string[] {
  const allowed = new Set(allowedKeys);
  return Object.entries(service.envVars ?? {})
    .filter(([key, source]) => source?.kind === "plain" && looksLikeSecretKey(key) && !allowed.has(key))
    .map(([key]) => key)
    .sort()
    .map(
      (key) =>
        `web service ${service.name}: env var ${key} looks like a secret (its key names a KEY, SECRET, TOKEN or ` +
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
  | { type: typeof webServiceType; props: WebServiceProps };

/**
 * Monthly cost of a stack's Render resources, with the same price table (and the same rounding: none)
 * as the program's own budget check (app/stackConfig.ts `monthlyCost`). `unknown` lists the
 * plans without a known price.
 */
export function stackMonthlyCost(resources: PricedResource[]): {
  totalUsd: number;
  lines: string[];
  unknown: string[];
} {
  let totalUsd = 0;
  const lines: string[] = [];
  const unknown: string[] = [];
  for (const resource of resources) {
    if (resource.type === postgresType) {
      const plan = apiPlanSpelling(resource.props.plan ?? "");
      const usd = postgresMonthlyUsd(plan, resource.props.highAvailability === true);
      if (usd === undefined) unknown.push(`database ${resource.props.name} plan ${plan}`);
      else {
        totalUsd += usd;
        lines.push(`database ${resource.props.name} ${plan}: $${usd}`);
      }
    } else {
      const plan = resource.props.plan || "starter";
      const instances = resource.props.numInstances ?? 1;
      const usd = webServiceMonthlyUsd(plan, instances);
      if (usd === undefined) unknown.push(`web service ${resource.props.name} plan ${plan}`);
      else {
        totalUsd += usd;
        lines.push(`web service ${resource.props.name} ${plan} x${instances}: $${usd}`);
      }
    }
  }
  // The analyzer lists a stack's resources in no fixed order: sort, so a message reads the same each time.
  return { totalUsd, lines: lines.sort(), unknown: unknown.sort() };
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
  return [
    `this stack would cost $${cost.totalUsd}/month (${cost.lines.join(", ")}; prices: ${priceTable.source}), ` +
      `over its budget of $${monthlyBudgetUsd} (policy config monthlyBudgetUsd). Choose smaller plans or raise the budget`,
  ];
}
