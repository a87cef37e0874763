// Public barrel of the Render components.
export * from "./postgres/resource";
export * from "./postgresExtension/resource";
export * from "./webService/resource";
export * from "./deploy/resource";
export * from "./migrations/resource";
export * from "../app/app";
export * from "../app/stackConfig";
