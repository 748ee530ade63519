/** The public surface of `operations`: what code outside the folder may use. */
export * from "./managed-scope";
export * from "./operator-specs";
export * from "./pulumi-operator";
export * from "./reconciled-stack";
export * from "./self-healing-settings";
