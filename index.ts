// The arrakis stack: reads and validates stack config, builds the app from components, exports outputs.
import * as pulumi from "@pulumi/pulumi";
import { RenderApp, arrakisConfigNames } from "./app/app";
import { enforceBudget, readStackConfig } from "./app/stackConfig";

const { config, monthlyCostUsd } = (() => {
  try {
    const config = readStackConfig((namespace, key) => new pulumi.Config(namespace).get(key));
    return { config, monthlyCostUsd: enforceBudget(config) };
  } catch (err) {
    // A config or budget problem is the user's to fix: its message alone, without a stack trace.
    throw err instanceof Error ? new pulumi.RunError(err.message) : err;
  }
})();

const app = new RenderApp("arrakis", {
  database: { ...config.database, ownerId: config.ownerId },
  service: { ...config.service, ownerId: config.ownerId },
  openaiApiKey: new pulumi.Config("arrakis").requireSecret("openaiApiKey"),
  deploy: config.deploy,
  migrations: config.migrations,
  // Messages advise this program's own commands (`pulumi config set --path arrakis:…`).
  configNames: arrakisConfigNames,
});

export const serviceUrl = app.service.url;
export const serviceDashboardUrl = app.service.dashboardUrl;
export const serviceId = app.service.id;
export const databaseId = app.database.id;
export const databaseDashboardUrl = app.database.dashboardUrl;
export const databaseName = app.database.liveDatabaseName;
export const internalConnectionString = pulumi.secret(app.database.internalConnectionString);
export const externalConnectionString = pulumi.secret(app.database.externalConnectionString);
export const deployId = app.deploy?.deployId;
export const deployStatus = app.deploy?.status;
export const deployedCommit = app.deploy?.deployedCommit;
export const deployFinishedAt = app.deploy?.finishedAt;
export const rolledBackTo = app.deploy?.rolledBackTo;
export { monthlyCostUsd };
