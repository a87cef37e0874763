// The Render API layer: knows HTTP and Render, never Pulumi.
export * from "./budget";
export * from "./client";
export * from "./errors";
export * from "./pagination";
export * from "./retry";
export * from "./schemas";
export * from "./wait";
