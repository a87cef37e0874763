// Public barrel of the Render components.
export * from "./postgres";
export * from "./postgresExtension";
export * from "./webService";
export * from "./deploy";
export * from "./migrations";
export * from "./app";
export * from "./stackConfig";
