/**
 * A stack whose app is written in render.yaml's vocabulary (`<namespace>:services`, `databases`,
 * `keyValues`, `envVarGroups`): reads and checks it all at once, with the `render:` settings and the
 * budget. Pure: takes a reader. Secrets (`render:apiKey`, `<namespace>:secrets`) are only checked for
 * presence (the keys of the secret map); their values are read as secrets by the caller.
 */
import { readAppVocabulary, type AppVocabulary } from "../components/blueprint/vocabulary";
import {
  keyValueMonthlyUsd,
  postgresMonthlyUsd,
  priceTable,
  webServiceMonthlyUsd,
  workerMonthlyUsd,
} from "./prices";
import { propertyPath } from "../components/runtime/validation";
import {
  deploySettingsSchema,
  readRenderSettings,
  StackConfigError,
  type ConfigReader,
  type DeploySettings,
} from "./stackConfig";

/** The validated configuration of a stack in the vocabulary. */
export interface AppStackConfig {
  /** Workspace id (`render:ownerId`). */
  ownerId: string;
  /** The app's entries. */
  app: AppVocabulary;
  /**
   * How `pulumi up` deploys each web service (`<namespace>:deploy`, RenderDeploy's settings): a deploy
   * whenever its env vars or build/run settings change. `false`: Render's own deploys only.
   */
  deploy: false | Omit<DeploySettings, "commit">;
  /** Monthly budget in USD (`<namespace>:monthlyBudgetUsd`), if any. */
  monthlyBudgetUsd?: number;
}

/** Reads a vocabulary stack; throws a {@link StackConfigError} naming every problem. */
export function readAppStackConfig(read: ConfigReader, namespace: string): AppStackConfig {
  const problems: string[] = [];
  const required = (ns: string, key: string) => {
    const value = read(ns, key);
    if (value === undefined || value === "")
      problems.push(
        `${ns}:${key} is missing; set it with \`pulumi config set ${key === "apiKey" ? "--secret " : ""}${ns}:${key} …\``,
      );
    return value;
  };
  const ownerId = readRenderSettings(read, required, problems);
  let secretKeys: string[] = [];
  const rawSecrets = read(namespace, "secrets");
  if (rawSecrets !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawSecrets);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      problems.push(
        `${namespace}:secrets must be a map of env var key to secret value; set each with \`pulumi config set --secret --path ${namespace}:secrets.<KEY> <value>\``,
      );
    else secretKeys = Object.keys(parsed);
  }
  const result = readAppVocabulary((key) => read(namespace, key), namespace, secretKeys);
  if (!result.ok) problems.push(...result.problems);
  const deploy = readDeploy(read, namespace, problems);
  let monthlyBudgetUsd: number | undefined;
  const budget = read(namespace, "monthlyBudgetUsd");
  if (budget !== undefined) {
    monthlyBudgetUsd = Number(budget);
    if (!Number.isFinite(monthlyBudgetUsd) || monthlyBudgetUsd < 0)
      problems.push(
        `${namespace}:monthlyBudgetUsd must be a number of dollars (got ${JSON.stringify(budget)})`,
      );
  }
  if (problems.length > 0 || !result.ok || deploy === undefined) throw new StackConfigError(problems);
  return {
    ownerId,
    app: result.app,
    deploy,
    ...(monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd } : {}),
  };
}

/**
 * `<namespace>:deploy`: `false`, or RenderDeploy's settings for every web service (defaults when absent);
 * `<namespace>:deployLatest` (a flat key for `pulumi up -c`) deploys every service's branch head again.
 */
function readDeploy(
  read: ConfigReader,
  namespace: string,
  problems: string[],
): AppStackConfig["deploy"] | undefined {
  const raw = read(namespace, "deploy") ?? "{}";
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  if (value === false) return false;
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    problems.push(`${namespace}:deploy must be false or an object of deploy settings (see Pulumi.prod.yaml)`);
    return undefined;
  }
  if ("commit" in value) {
    problems.push(
      `${namespace}:deploy.commit: a pinned commit is per service, which this program does not take yet; remove it (every service deploys its branch head)`,
    );
    return undefined;
  }
  const latest = read(namespace, "deployLatest");
  const parsed = deploySettingsSchema().safeParse(latest ? { ...value, release: latest } : value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${propertyPath(`${namespace}:deploy`, issue.path)}: ${issue.message}`);
    return undefined;
  }
  const { commit: _commit, ...settings } = parsed.data;
  return settings;
}

/** Monthly cost of one entry, or undefined when its plan has no known price (app/prices.ts). */
function entryMonthlyUsd(entry: AppVocabulary["entries"][number]): number | undefined {
  const {
    plan,
    numInstances: fixed,
    scaling,
    highAvailability,
  } = entry.args as {
    plan?: string;
    numInstances?: number;
    scaling?: { maxInstances: number };
    highAvailability?: boolean;
  };
  // While Render autoscales a service it may run up to maxInstances: the budget counts the most.
  const numInstances = scaling?.maxInstances ?? fixed;
  if (entry.kind === "postgres") return postgresMonthlyUsd(plan ?? "", highAvailability ?? false);
  if (entry.kind === "webService") return webServiceMonthlyUsd(plan ?? "starter", numInstances ?? 1);
  if (entry.kind === "keyValue") return keyValueMonthlyUsd(plan ?? "");
  if (entry.kind === "staticSite") return priceTable.staticSite;
  // An env group is configuration: Render does not bill it.
  if (entry.kind === "envGroup") return 0;
  if (entry.kind === "backgroundWorker" || entry.kind === "privateService")
    return workerMonthlyUsd(plan ?? "starter", numInstances ?? 1);
  // A cron job is billed per minute of run time, never counted in a monthly total (app/prices.ts).
  if (entry.kind === "cronJob") return 0;
  // A workflow has no plan: Render bills its task runs' compute by the second, each task's plan named in
  // code (render.com/docs/workflows: "Render only bills you for compute usage"); no monthly figure.
  if (entry.kind === "workflow") return 0;
  return undefined;
}

/**
 * Fails when the app would cost more than its budget, before anything is created; a plan without a known
 * price fails only when there is a budget (it cannot be checked). Answers the known total.
 */
export function enforceAppBudget(config: AppStackConfig, namespace: string): number {
  const lines = config.app.entries.map((e) => ({ e, usd: entryMonthlyUsd(e) }));
  const total = lines.reduce((sum, l) => sum + (l.usd ?? 0), 0);
  if (config.monthlyBudgetUsd === undefined) return total;
  const unknown = lines.filter((l) => l.usd === undefined);
  if (unknown.length > 0)
    throw new Error(
      `no known price for ${unknown.map((l) => `${l.e.section} ${l.e.name}${l.e.args.plan ? ` (plan ${String(l.e.args.plan)})` : ""}`).join(", ")}: ` +
        `add it to app/prices.ts, or remove ${namespace}:monthlyBudgetUsd`,
    );
  if (total > config.monthlyBudgetUsd)
    throw new Error(
      `this stack would cost $${total}/month (${lines.map((l) => `${l.e.name} ${String(l.e.args.plan ?? "")}: $${l.usd}`).join(", ")}; ` +
        `prices: ${priceTable.source}), over its budget of $${config.monthlyBudgetUsd} (${namespace}:monthlyBudgetUsd)`,
    );
  return total;
}
