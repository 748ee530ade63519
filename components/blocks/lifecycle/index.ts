/** The public surface of `blocks/lifecycle`: what code outside the folder may use. */
export * from "./init-container";
export * from "./init-container-contract";
export * from "./init-container-provider";
export * from "./local-sdk-endpoint";
export * from "./sdk-endpoint-script";
export * from "./sdk-protocol";
