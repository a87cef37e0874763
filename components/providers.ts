/**
 * Every `ResourceProvider` of this project, by kind: the entry of the providers package
 * (`@arrakis/render-providers`, built by runtime/package.ts). The state of a resource holds a
 * small shim that `require`s this package in the provider host, not the providers' code.
 */
import { BackgroundWorkerProvider } from "./backgroundWorker/provider";
import { CronJobProvider } from "./cronJob/provider";
import { DeployProvider } from "./deploy/provider";
import { DiskProvider } from "./disk/provider";
import { EnvGroupProvider } from "./envGroup/provider";
import { EnvGroupLinkProvider } from "./envGroupLink/provider";
import { RegistryCredentialProvider } from "./registryCredential/provider";
import { KeyValueProvider } from "./keyValue/provider";
import { ProjectProvider } from "./project/provider";
import { PostgresExtensionProvider } from "./postgresExtension/provider";
import { PostgresProvider } from "./postgres/provider";
import { PrivateServiceProvider } from "./privateService/provider";
import {
  PostgresCredentialProvider,
  RetiredPostgresCredentialsProvider,
} from "./postgresCredential/provider";
import { quietProviderErrors } from "./runtime/errors";
import { StaticSiteProvider } from "./staticSite/provider";
import { CustomDomainProvider } from "./customDomain/provider";
import { WebServiceProvider } from "./webService/provider";
import { WorkflowProvider } from "./workflow/provider";

/**
 * The provider classes a program's resources use, by the kind a resource names in its shim; in a
 * provider host their errors reach the user once, without a stack trace (runtime/errors.ts).
 */
const liveProviderClasses = quietProviderErrors({
  postgres: PostgresProvider,
  postgresExtension: PostgresExtensionProvider,
  postgresCredential: PostgresCredentialProvider,
  retiredPostgresCredentials: RetiredPostgresCredentialsProvider,
  webService: WebServiceProvider,
  deploy: DeployProvider,
  keyValue: KeyValueProvider,
  project: ProjectProvider,
  staticSite: StaticSiteProvider,
  customDomain: CustomDomainProvider,
  envGroup: EnvGroupProvider,
  envGroupLink: EnvGroupLinkProvider,
  registryCredential: RegistryCredentialProvider,
  disk: DiskProvider,
  backgroundWorker: BackgroundWorkerProvider,
  privateService: PrivateServiceProvider,
  cronJob: CronJobProvider,
  workflow: WorkflowProvider,
});

/**
 * The retired `render:Migrations` kind: migrations run through `@pulumi/command` now
 * (components/migrations/resource.ts), but a state written before holds a Migrations resource whose shim loads
 * this package to delete it once the program no longer declares it. Deleting one never did anything
 * (migrations are not undone); refresh reads nothing (its shim has no `read`).
 */
class RetiredMigrationsProvider {
  /** Nothing to configure. */
  async configure(): Promise<void> {}
  /** Leaves the schema as it is, as before. */
  async delete(): Promise<void> {}
}

/** A kind of provider a resource can be made with: a key of {@link providerClasses}. */
export type ProviderKind = keyof typeof liveProviderClasses;

/** Every provider class by kind (the name the shims in states look up), the retired ones included. */
export const providerClasses: typeof liveProviderClasses & { migrations: typeof RetiredMigrationsProvider } =
  {
    ...liveProviderClasses,
    migrations: RetiredMigrationsProvider,
  };
