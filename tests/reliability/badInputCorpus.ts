/**
 * The bad-input corpus of the arrakis program (issue 9): configurations a user will type, each made
 * from the local stack's good config by one change. Each must fail `pulumi preview` with a message
 * that names the field and what is allowed, and make no write to the Render API.
 */
import type { StackConfigState } from "./inputHelpers";

/** One invalid configuration. */
export interface BadInputCase {
  /** Short name, for the table. */
  name: string;
  /** Turns the good config (a copy) into the bad one. */
  change: (config: StackConfigState) => void;
  /** The message names the field. */
  field: RegExp;
  /** The message says what is allowed (the values or the rule). */
  allowed: RegExp;
  /**
   * Also run `pulumi up`, which must fail before any write: `always`, or only under
   * `RELIABILITY_FULL=1` (`npm run test:reliability`), to keep `npm test` within its time.
   */
  up?: "always" | "full";
}

type Obj = Record<string, unknown>;

const patch =
  (key: string, change: Obj) =>
  (config: StackConfigState): void => {
    config.objects[key] = { ...(config.objects[key] as Obj | undefined), ...change };
  };
const database = (change: Obj) => patch("arrakis:database", change);
const service = (change: Obj) => patch("arrakis:service", change);
const deploy = (change: Obj) => patch("arrakis:deploy", change);
const plain =
  (key: string, value: string | undefined) =>
  (config: StackConfigState): void => {
    if (value === undefined) delete config.plain[key];
    else config.plain[key] = value;
  };
const secret =
  (key: string, value: string | undefined) =>
  (config: StackConfigState): void => {
    if (value === undefined) delete config.secrets[key];
    else config.secrets[key] = value;
  };

const postgresPlans = /allowed: .*"basic_256mb".*"pro_4gb"/;
const regions = /allowed: "oregon", "ohio", "virginia", "frankfurt", "singapore"/;
const versions = /allowed: "11", .*"17", "18"/;
const nameRule = /may contain only letters, digits, spaces, '\.', '_' and '-'/;
const linkProperties = /allowed: "connectionString", .*"host", "port", "user", "password", "database"/;

/** Well-formed, but no workspace this emulator knows. */
export const foreignOwnerId = "tea-d000000000000000000z";

/** The corpus: at least 40 cases. */
export const badInputCorpus: BadInputCase[] = [
  // ---- the database
  {
    name: "database plan unknown",
    change: database({ plan: "basic-999mb" }),
    field: /arrakis:database\.plan/,
    allowed: postgresPlans,
    up: "always",
  },
  {
    name: "database region unknown",
    change: database({ region: "us-west-2" }),
    field: /arrakis:database\.region/,
    allowed: regions,
  },
  {
    name: "version out of range (99)",
    change: database({ version: 99 }),
    field: /arrakis:database\.version/,
    allowed: versions,
  },
  {
    name: "version not a number",
    change: database({ version: "latest" }),
    field: /arrakis:database\.version/,
    allowed: versions,
  },
  {
    name: "CIDR prefix > 32",
    change: database({ ipAllowList: [{ cidrBlock: "10.0.0.0/33", description: "office" }] }),
    field: /arrakis:database\.ipAllowList\[0\]\.cidrBlock/,
    allowed: /like 203\.0\.113\.0\/24/,
  },
  {
    name: "CIDR without prefix",
    change: database({ ipAllowList: [{ cidrBlock: "203.0.113.7", description: "me" }] }),
    field: /arrakis:database\.ipAllowList\[0\]\.cidrBlock/,
    allowed: /address and prefix length/,
  },
  {
    name: "CIDR listed twice",
    change: database({
      ipAllowList: [
        { cidrBlock: "203.0.113.0/24", description: "a" },
        { cidrBlock: "203.0.113.0/24", description: "b" },
      ],
    }),
    field: /arrakis:database\.ipAllowList\[1\]\.cidrBlock/,
    allowed: /listed twice/,
  },
  {
    name: "database name too long",
    change: database({ name: "a".repeat(101) }),
    field: /arrakis:database\.name/,
    allowed: /at most 100 characters/,
  },
  {
    name: "database name invalid characters",
    change: database({ name: "arrakis/db!" }),
    field: /arrakis:database\.name/,
    allowed: nameRule,
  },
  {
    name: "databaseName with capitals and '-'",
    change: database({ databaseName: "Arrakis-Local" }),
    field: /arrakis:database\.databaseName/,
    allowed: /lowercase letters, digits and '_'/,
  },
  {
    name: "databaseName too long",
    change: database({ databaseName: "a".repeat(60) }),
    field: /arrakis:database\.databaseName/,
    allowed: /at most 58 characters/,
  },
  {
    name: "databaseUser reserved",
    change: database({ databaseUser: "postgres" }),
    field: /arrakis:database\.databaseUser/,
    allowed: /must not be 'postgres' or start with 'pg_'/,
  },
  {
    name: "high availability on a basic plan",
    change: database({ highAvailability: true }),
    field: /arrakis:database\.highAvailability/,
    allowed: /needs a pro_\* or accelerated_\* plan/,
  },
  {
    name: "disk size 0 GB",
    change: database({ diskSizeGB: 0 }),
    field: /arrakis:database\.diskSizeGB/,
    allowed: /whole number of GB from 1 to 16384/,
  },
  {
    name: "database key typo (plna)",
    change: database({ plna: "basic-1gb" }),
    field: /arrakis:database: unknown key\(s\) plna/,
    allowed: /allowed: name, plan, version/,
  },
  {
    name: "protect not a boolean",
    change: database({ protect: "yes" }),
    field: /arrakis:database\.protect/,
    allowed: /expected boolean/,
  },
  {
    name: "extension name with a space",
    change: database({ extensions: ["pg vector"] }),
    field: /arrakis:database\.extensions\[0\]/,
    allowed: /such as "vector"/,
  },
  // ---- the web service
  {
    name: "service plan unknown",
    change: service({ plan: "mega" }),
    field: /arrakis:service\.plan/,
    allowed: /allowed: "starter", "starter_plus", "standard"/,
  },
  {
    name: "service plan of a database",
    change: service({ plan: "basic-256mb" }),
    field: /arrakis:service\.plan/,
    allowed: /allowed: "starter", "starter_plus", "standard"/,
  },
  {
    name: "runtime unknown",
    change: service({ runtime: "deno" }),
    field: /arrakis:service\.runtime/,
    allowed: /allowed: "docker", "elixir", "go", "node"/,
  },
  {
    name: "runtime docker with a native build command",
    change: service({ runtime: "docker" }),
    field: /arrakis:service\.buildCommand/,
    allowed: /is for native runtimes; a docker service runs dockerCommand/,
  },
  {
    name: "service region unknown",
    change: service({ region: "mars" }),
    field: /arrakis:service\.region/,
    allowed: regions,
  },
  {
    name: "service name too long",
    change: service({ name: `arrakis-${"x".repeat(100)}` }),
    field: /arrakis:service\.name/,
    allowed: /at most 100 characters/,
  },
  {
    name: "service name invalid characters",
    change: service({ name: "arrakis web?" }),
    field: /arrakis:service\.name/,
    allowed: nameRule,
  },
  {
    name: "negative instance count",
    change: service({ numInstances: -1 }),
    field: /arrakis:service\.numInstances/,
    allowed: /whole number of instances from 1 to 100/,
    up: "full",
  },
  {
    name: "empty repo URL",
    change: service({ repo: "" }),
    field: /arrakis:service\.repo/,
    allowed: /https URL of a repository like https:\/\/github\.com\/owner\/repo/,
  },
  {
    name: "http (not https) repo",
    change: service({ repo: "http://github.com/happydotemdr/arrakis" }),
    field: /arrakis:service\.repo/,
    allowed: /https URL of a repository/,
    up: "full",
  },
  {
    name: "repo without scheme",
    change: service({ repo: "github.com/happydotemdr/arrakis" }),
    field: /arrakis:service\.repo/,
    allowed: /https URL of a repository/,
  },
  {
    name: "branch name invalid",
    change: service({ branch: "feature..x" }),
    field: /arrakis:service\.branch/,
    allowed: /not a valid Git branch name/,
  },
  {
    name: "health check path without '/'",
    change: service({ healthCheckPath: "healthz" }),
    field: /arrakis:service\.healthCheckPath/,
    allowed: /empty or a path starting with '\/'/,
    up: "full",
  },
  {
    name: "empty build command",
    change: service({ buildCommand: "  " }),
    field: /arrakis:service\.buildCommand/,
    allowed: /must not be empty: the build command/,
  },
  {
    name: "rootDir absolute",
    change: service({ rootDir: "/srv/app" }),
    field: /arrakis:service\.rootDir/,
    allowed: /path inside the repository/,
  },
  {
    name: "env key starting with a digit",
    change: service({ env: { "1ST_KEY": "x" } }),
    field: /arrakis:service\.env\.1ST_KEY/,
    allowed: /letters, digits and '_', not starting with a digit/,
  },
  {
    name: "env key with '-'",
    change: service({ env: { "MY-VAR": "x" } }),
    field: /arrakis:service\.env\.MY-VAR/,
    allowed: /letters, digits and '_'/,
  },
  {
    name: "env key the app sets (DATABASE_URL)",
    change: service({ env: { DATABASE_URL: "postgres://elsewhere/db" } }),
    field: /arrakis:service\.env\.DATABASE_URL/,
    allowed: /set by the app itself/,
  },
  {
    name: "linked property that does not exist",
    change: service({ env: { POOL_URL: { fromDatabase: { property: "connectionPoolString" } } } }),
    field: /arrakis:service\.env\.POOL_URL\.fromDatabase\.property/,
    allowed: linkProperties,
    up: "full",
  },
  {
    name: "env value not a string",
    change: service({ env: { PORT: 3000 } }),
    field: /arrakis:service\.env\.PORT/,
    allowed: /must be a string, \{fromDatabase: \{property\}\} or \{generateValue: true\}/,
  },
  {
    name: "service key typo (healthCheck)",
    change: service({ healthCheck: "/" }),
    field: /arrakis:service: unknown key\(s\) healthCheck/,
    allowed: /allowed: .*healthCheckPath/,
  },
  // ---- deploys and migrations
  {
    name: "deploy commit is a branch name",
    change: deploy({ commit: "master" }),
    field: /arrakis:deploy\.commit/,
    allowed: /commit SHA \(7 to 40 hex digits\)/,
  },
  {
    name: "deploy health check path without '/'",
    change: deploy({ healthCheck: { path: "healthz" } }),
    field: /arrakis:deploy\.healthCheck\.path/,
    allowed: /must start with \//,
    up: "always",
  },
  {
    name: "deploy wait timeout 0",
    change: deploy({ waitTimeoutMs: 0 }),
    field: /arrakis:deploy\.waitTimeoutMs/,
    allowed: /whole number >= 1/,
  },
  {
    name: "migrations appDir that does not exist",
    change: patch("arrakis:migrations", { appDir: "../no-such-checkout" }),
    field: /arrakis:migrations/,
    allowed: /pulumi config set --path arrakis:migrations/,
    up: "always",
  },
  // ---- Render access and the stack's own keys
  {
    name: "missing render:apiKey",
    change: secret("render:apiKey", undefined),
    field: /render:apiKey is missing/,
    allowed: /pulumi config set --secret render:apiKey/,
  },
  {
    name: "wrong API key",
    change: secret("render:apiKey", "rnd_wrongwrongwrongwrongwrong0000"),
    field: /render:apiKey/,
    allowed: /pulumi config set --secret render:apiKey/,
    up: "always",
  },
  {
    name: "ownerId not the key's workspace",
    change: plain("render:ownerId", foreignOwnerId),
    field: /ownerId/,
    allowed: /its workspaces: tea-/,
  },
  {
    name: "ownerId of the wrong shape",
    change: plain("render:ownerId", "my-team"),
    field: /render:ownerId/,
    allowed: /workspace id like tea-/,
  },
  {
    name: "apiUrl not a URL",
    change: plain("render:apiUrl", "api.render.com/v1"),
    field: /render:apiUrl/,
    allowed: /http\(s\) URL such as https:\/\/api\.render\.com\/v1/,
  },
  {
    name: "apiUrl not Render's API (/v2)",
    change: (config) => {
      config.plain["render:apiUrl"] = config.plain["render:apiUrl"].replace(/\/v1$/, "/v2");
    },
    field: /render:apiUrl/,
    allowed: /must be the API's base URL, https:\/\/api\.render\.com\/v1/,
  },
  {
    name: "missing arrakis:openaiApiKey",
    change: secret("arrakis:openaiApiKey", undefined),
    field: /arrakis:openaiApiKey is missing/,
    allowed: /pulumi config set --secret arrakis:openaiApiKey/,
  },
  {
    name: "missing arrakis:database",
    change: (config) => delete config.objects["arrakis:database"],
    field: /arrakis:database is missing/,
    allowed: /pulumi config set --path arrakis:database\.name/,
  },
  {
    name: "budget not a number",
    change: plain("arrakis:monthlyBudgetUsd", "twelve"),
    field: /arrakis:monthlyBudgetUsd/,
    allowed: /must be a number of dollars/,
  },
  {
    name: "budget below cost",
    change: plain("arrakis:monthlyBudgetUsd", "5"),
    field: /arrakis:monthlyBudgetUsd/,
    allowed: /would cost \$12\/month .*Choose smaller plans or raise the budget/,
    up: "full",
  },
  {
    name: "budget below cost after a plan change",
    change: (config) => {
      database({ plan: "basic_1gb" })(config);
    },
    field: /arrakis:monthlyBudgetUsd/,
    allowed: /would cost \$24\/month/,
  },
];
