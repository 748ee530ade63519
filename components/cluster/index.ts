/** The public surface of `cluster`: what code outside the folder may use. */
export * from "./cluster-service-specs";
export * from "./cluster-services";
export * from "./gateway";
export * from "./namespaces";
export * from "./node-labels";
export * from "./ports";
export * from "./url-map";
export * from "./workload";
