// Public barrel of the Render components: the library only (the arrakis app lives in app/).
export * from "./postgres/resource";
export * from "./postgresExtension/resource";
export * from "./postgresCredential/resource";
export * from "./webService/resource";
export * from "./deploy/resource";
export * from "./migrations/resource";
export * from "./keyValue/resource";
export * from "./project/resource";
export * from "./staticSite/resource";
export * from "./customDomain/resource";
export * from "./envGroup/resource";
export * from "./envGroupLink/resource";
export * from "./registryCredential/resource";
export * from "./disk/resource";
export * from "./backgroundWorker/resource";
export * from "./privateService/resource";
export * from "./cronJob/resource";
