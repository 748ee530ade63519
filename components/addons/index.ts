/** The public surface of `addons`: what code outside the folder may use. */
export * from "./addon-endpoints";
export * from "./addon-entry";
export * from "./addon-plan";
export * from "./addon-settings";
export * from "./addons";
export * from "./assets-registry-specs";
export * from "./container-registry-specs";
export * from "./inference-server-specs";
export * from "./model-splitter-specs";
export * from "./policy-executor-specs";
