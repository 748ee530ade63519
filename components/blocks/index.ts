/** The public surface of `blocks`: what code outside the folder may use. */
export * from "./block-specs";
export * from "./blocks";
export * from "./lifecycle";
export * from "./third-party-block";
