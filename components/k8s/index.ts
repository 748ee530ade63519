/** The public surface of `k8s`: what code outside the folder may use. */
export * from "./access";
export * from "./generated-secret";
export * from "./labels";
export * from "./workload-specs";
