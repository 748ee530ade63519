/** The public surface of `config`: what code outside the folder may use. */
export * from "./blocks-stack-config";
export * from "./cluster-document";
export * from "./cluster-document-json-schema";
export * from "./cluster-stack-reference";
export * from "./config-errors";
export * from "./config-namespace";
export * from "./images";
export * from "./node-inventory";
export * from "./operations-stack-config";
export * from "./reconciled-cluster-reference";
export * from "./stack-config";
