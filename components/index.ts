/** The public surface of the components: every concept folder's own public surface. */
export * from "./addons";
export * from "./aios-api";
export * from "./blocks";
export * from "./cluster";
export * from "./config";
export * from "./interlink";
export * from "./k8s";
export * from "./operations";
export * from "./runtime";
