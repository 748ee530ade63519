/** The public surface of `interlink`: what code outside the folder may use. */
export * from "./virtual-node";
export * from "./virtual-node-checks";
export * from "./virtual-node-settings";
export * from "./virtual-node-specs";
export * from "./virtual-nodes";
