/** The public surface of `cluster/gateway`: what code outside the folder may use. */
export * from "./gateway";
export * from "./gateway-specs";
