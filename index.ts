// The program: reads and validates stack config, builds the app from components, exports outputs.
// A stack in render.yaml's vocabulary (`arrakis:services`, `databases`, `keyValues`, `envVarGroups`) is any
// app (RenderBlueprintApp); the arrakis stacks' own layout (`arrakis:database`, `arrakis:service`) builds
// RenderApp exactly as before, so their states preview with no change.
import * as pulumi from "@pulumi/pulumi";
import { RenderApp, arrakisConfigNames } from "./app/app";
import { enforceAppBudget, readAppStackConfig } from "./app/appConfig";
import { RenderBlueprintApp } from "./app/program";
import { enforceBudget, readStackConfig, type ConfigReader } from "./app/stackConfig";
import { usesVocabulary } from "./components/blueprint/vocabulary";

const namespace = arrakisConfigNames.namespace;
const read: ConfigReader = (ns, key) => new pulumi.Config(ns).get(key);

/** A config or budget problem is the user's to fix: its message alone, without a stack trace. */
function userError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof Error ? new pulumi.RunError(err.message) : err;
  }
}

function arrakisApp() {
  const { config, monthlyCostUsd } = userError(() => {
    const config = readStackConfig(read);
    return { config, monthlyCostUsd: enforceBudget(config) };
  });
  const app = new RenderApp("arrakis", {
    database: { ...config.database, ownerId: config.ownerId },
    service: { ...config.service, ownerId: config.ownerId },
    openaiApiKey: new pulumi.Config("arrakis").requireSecret("openaiApiKey"),
    deploy: config.deploy,
    migrations: config.migrations,
    // Messages advise this program's own commands (`pulumi config set --path arrakis:…`).
    configNames: arrakisConfigNames,
  });
  return { app, monthlyCostUsd };
}

function blueprintApp() {
  const { config, monthlyCostUsd } = userError(() => {
    const config = readAppStackConfig(read, namespace);
    return { config, monthlyCostUsd: enforceAppBudget(config, namespace) };
  });
  const app = userError(
    () =>
      new RenderBlueprintApp(namespace, {
        app: config.app,
        ...(config.app.secretKeys.length > 0
          ? { secrets: new pulumi.Config(namespace).requireSecretObject<Record<string, string>>("secrets") }
          : {}),
        configNames: arrakisConfigNames,
        deploy: config.deploy,
      }),
  );
  const byName = <T>(map: Map<string, T>, outputs: (r: T) => Record<string, pulumi.Output<unknown>>) =>
    Object.fromEntries([...map].map(([name, r]) => [name, outputs(r)]));
  return {
    monthlyCostUsd,
    services: byName(app.services, (s) => ({ id: s.id, url: s.url, dashboardUrl: s.dashboardUrl })),
    databases: byName(app.databases, (d) => ({ id: d.id, dashboardUrl: d.dashboardUrl })),
    keyValues: byName(app.keyValues, (k) => ({ id: k.id, dashboardUrl: k.dashboardUrl })),
    privateServices: byName(app.privateServices, (s) => ({ id: s.id, dashboardUrl: s.dashboardUrl })),
    staticSites: byName(app.staticSites, (s) => ({ id: s.id, url: s.url, dashboardUrl: s.dashboardUrl })),
    deploys: byName(app.deploys, (d) => ({ id: d.deployId, status: d.status, commit: d.deployedCommit })),
  };
}

const arrakis = usesVocabulary((key) => read(namespace, key)) ? undefined : arrakisApp();
const blueprint = arrakis ? undefined : blueprintApp();
const app = arrakis?.app;

export const serviceUrl = app?.service.url;
export const serviceDashboardUrl = app?.service.dashboardUrl;
export const serviceId = app?.service.id;
export const databaseId = app?.database.id;
export const databaseDashboardUrl = app?.database.dashboardUrl;
export const databaseName = app?.database.liveDatabaseName;
export const internalConnectionString = app
  ? pulumi.secret(app.database.internalConnectionString)
  : undefined;
export const externalConnectionString = app
  ? pulumi.secret(app.database.externalConnectionString)
  : undefined;
export const deployId = app?.deploy?.deployId;
export const deployStatus = app?.deploy?.status;
export const deployedCommit = app?.deploy?.deployedCommit;
export const deployFinishedAt = app?.deploy?.finishedAt;
export const rolledBackTo = app?.deploy?.rolledBackTo;
/** A vocabulary stack's services, databases and Key Values by name: id, URL, dashboard link. */
export const services = blueprint?.services;
export const databases = blueprint?.databases;
export const keyValues = blueprint?.keyValues;
export const staticSites = blueprint?.staticSites;
/** A vocabulary stack's background workers, private services and cron jobs by name. */
export const privateServices = blueprint?.privateServices;
export const deploys = blueprint?.deploys;
export const monthlyCostUsd = arrakis?.monthlyCostUsd ?? blueprint?.monthlyCostUsd;
