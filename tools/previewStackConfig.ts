/**
 * The config of a preview stack for one pull request, derived from the production stack's file
 * (Pulumi.prod.yaml): its own database and web service, named after the pull request, on the cheapest
 * plans that run the production config, unprotected, with an expiry time. Pure: no CLI, no I/O.
 */
import { postgresMonthlyUsd, priceTable, webServiceMonthlyUsd } from "../app/prices";
import { apiPlanSpelling } from "../components/render/enums";

/** Plain stack config, `namespace:key` → value, as a stack file's `config:` holds it. */
export type StackFileConfig = Record<string, unknown>;

/**
 * Plans of a preview stack. Not `free`, although Render has free plans: a free web service runs no
 * preDeployCommand (Render offers pre-deploy commands on paid services only: render.com/blog/build-pipelines),
 * so it would not run production's migrations; and a workspace may hold a single free database (UNCONFIRMED,
 * so the safe choice: previews of two pull requests would collide). These are also the smallest paid plans
 * our price table knows.
 */
export const previewPlans = { database: "basic-256mb", service: "starter" } as const;

/** Default lifetime of a preview stack: a week; each `create` (a new push) starts it again. */
export const defaultTtlHours = 168;

/** Stack tags a preview stack carries (Pulumi stack tags: `pulumi stack tag ls`). */
export const previewTags = { pr: "arrakis:preview-pr", expiresAt: "arrakis:expires-at" } as const;

/** Options of {@link previewStackConfig}. */
export interface PreviewOptions {
  /** The pull request number. */
  pr: number;
  /** Branch the service builds (the pull request's head branch); default production's. */
  branch?: string;
  /** Commit to deploy (the pull request's head commit); default the branch head. */
  commit?: string;
  /** `render:apiUrl` (e.g. the emulator's); default Render's. */
  apiUrl?: string;
  /** `render:ownerId` (e.g. the local emulator's workspace); default production's. */
  ownerId?: string;
  /** Lifetime in hours from `now`. */
  ttlHours?: number;
  now: Date;
}

/** What a preview stack is: its name, config, tags and cost. */
export interface PreviewStack {
  stackName: string;
  /** The stack file's plain and structured config (secrets are set separately, encrypted). */
  config: StackFileConfig;
  tags: Record<string, string>;
  expiresAt: Date;
  databaseName: string;
  serviceName: string;
  cost: { monthlyUsd: number; lines: string[]; source: string };
}

/** The stack name of a pull request's preview stack. */
export function previewStackName(pr: number): string {
  return `pr-${pr}`;
}

/** The pull request number of a preview stack's name, or undefined when it is not one. */
export function prOfStackName(name: string): number | undefined {
  const match = /^(?:.*\/)?pr-([1-9][0-9]*)$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Parses `--pr`: a positive integer. */
export function parsePr(value: string | undefined): number {
  if (value === undefined || !/^[1-9][0-9]{0,8}$/.test(value))
    throw new Error(`--pr must be a pull request number such as 123 (got ${JSON.stringify(value ?? "")})`);
  return Number(value);
}

/**
 * A production name made the preview's: the word `prod`/`production` dropped, the pull request number
 * appended (`arrakis-prod-db` → `arrakis-db-pr-123`, `arrakis_production` → `arrakis_pr_123`).
 */
export function previewName(prodName: string, pr: number, separator: "-" | "_"): string {
  const words = prodName.split(/[-_]/).filter((word) => word !== "" && !/^prod(uction)?$/i.test(word));
  return [...words, "pr", String(pr)].join(separator);
}

function objectOf(value: unknown, key: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${key} in the production stack file must be an object`);
  return structuredClone(value) as Record<string, unknown>;
}

/** Derives a preview stack's config from the production stack file's `config:` section. */
export function previewStackConfig(prod: StackFileConfig, options: PreviewOptions): PreviewStack {
  const { pr } = options;
  const ttlHours = options.ttlHours ?? defaultTtlHours;
  if (!Number.isFinite(ttlHours) || ttlHours <= 0)
    throw new Error(`--ttl-hours must be a positive number of hours (got ${ttlHours})`);
  const database = objectOf(prod["arrakis:database"], "arrakis:database");
  const service = objectOf(prod["arrakis:service"], "arrakis:service");
  const deploy =
    prod["arrakis:deploy"] === undefined ? {} : objectOf(prod["arrakis:deploy"], "arrakis:deploy");

  // Never production's objects: no adoption of live ones, and names of its own.
  for (const key of ["importId", "adoptExisting"]) {
    delete database[key];
    delete service[key];
  }
  database.name = previewName(String(database.name ?? "arrakis-db"), pr, "-");
  if (database.databaseName !== undefined)
    database.databaseName = previewName(String(database.databaseName), pr, "_");
  if (database.databaseUser !== undefined)
    database.databaseUser = previewName(String(database.databaseUser), pr, "_");
  database.plan = previewPlans.database;
  database.highAvailability = false;
  // Protected in production; a preview's database goes with the stack.
  database.protect = false;
  service.name = previewName(String(service.name ?? "arrakis"), pr, "-");
  service.plan = previewPlans.service;
  service.numInstances = 1;
  service.autoDeploy = false;
  if (options.branch !== undefined) service.branch = options.branch;
  delete deploy.release;
  if (options.commit !== undefined) deploy.commit = options.commit;
  else delete deploy.commit;

  const config: StackFileConfig = {};
  for (const [key, value] of Object.entries(prod)) {
    // Secrets are encrypted for production's stack only; the caller sets the preview's own.
    if (value !== null && typeof value === "object" && "secure" in value) continue;
    if (key === "arrakis:deployLatest" || key === "arrakis:migrations") continue;
    config[key] = value;
  }
  Object.assign(config, {
    "arrakis:database": database,
    "arrakis:service": service,
    "arrakis:deploy": deploy,
  });
  if (options.apiUrl !== undefined) config["render:apiUrl"] = options.apiUrl;
  if (options.ownerId !== undefined) config["render:ownerId"] = options.ownerId;

  const db = postgresMonthlyUsd(apiPlanSpelling(previewPlans.database)) ?? 0;
  const web = webServiceMonthlyUsd(previewPlans.service) ?? 0;
  const expiresAt = new Date(options.now.getTime() + ttlHours * 3_600_000);
  return {
    stackName: previewStackName(pr),
    config,
    tags: { [previewTags.pr]: String(pr), [previewTags.expiresAt]: expiresAt.toISOString() },
    expiresAt,
    databaseName: String(database.name),
    serviceName: String(service.name),
    cost: {
      monthlyUsd: db + web,
      lines: [`database ${previewPlans.database} $${db}`, `web service ${previewPlans.service} $${web}`],
      source: priceTable.source,
    },
  };
}

/** The cost lines `create` prints: per month, and what the preview's lifetime costs at most. */
export function costReport(stack: PreviewStack, ttlHours: number): string[] {
  const { monthlyUsd, lines, source } = stack.cost;
  // Render bills per second, pro rata (REFERENCE.md §8, UNCONFIRMED); a 30-day month.
  const perDay = monthlyUsd / 30;
  return [
    `monthly cost: $${monthlyUsd} (${lines.join(", ")}; prices: ${source})`,
    `billed by the second while it exists: about $${perDay.toFixed(2)} a day, at most ` +
      `$${((perDay * ttlHours) / 24).toFixed(2)} until it expires (${stack.expiresAt.toISOString()})`,
  ];
}

/** The preview stacks `sweep` removes: those whose expiry tag is at or before `now`. */
export function expiredStacks(
  stacks: Array<{ name: string; tags: Record<string, string> }>,
  now: Date,
): Array<{ name: string; expiresAt: string }> {
  const out: Array<{ name: string; expiresAt: string }> = [];
  for (const { name, tags } of stacks) {
    const expiresAt = tags[previewTags.expiresAt];
    if (prOfStackName(name) === undefined || expiresAt === undefined) continue;
    const when = Date.parse(expiresAt);
    if (Number.isFinite(when) && when <= now.getTime()) out.push({ name, expiresAt });
  }
  return out;
}
