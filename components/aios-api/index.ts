/** The public surface of `aios-api`: what code outside the folder may use. */
export * from "./addon-registration";
export * from "./client";
export * from "./cluster-registration";
export * from "./delegated-infra";
export * from "./http";
export * from "./registered-document";
export * from "./registries";
