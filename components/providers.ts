/**
 * Every `ResourceProvider` of this project, by kind: the entry of the providers package
 * (`@arrakis/render-providers`, built by {@link ./providerPackage}). The state of a resource holds a
 * small shim that `require`s this package in the provider host, not the providers' code.
 */
import { DeployProvider } from "./deployProvider";
import { MigrationsProvider } from "./migrationsProvider";
import { PostgresExtensionProvider } from "./postgresExtensionProvider";
import { PostgresProvider } from "./postgresProvider";
import { WebServiceProvider } from "./webServiceProvider";

/** The provider classes, by the kind a resource names in its shim. */
export const providerClasses = {
  postgres: PostgresProvider,
  postgresExtension: PostgresExtensionProvider,
  webService: WebServiceProvider,
  deploy: DeployProvider,
  migrations: MigrationsProvider,
};

/** A kind of provider: a key of {@link providerClasses}. */
export type ProviderKind = keyof typeof providerClasses;
