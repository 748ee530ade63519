/** The public surface of `runtime`: what code outside the folder may use. */
export * from "./stack-probes";
