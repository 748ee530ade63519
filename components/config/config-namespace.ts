/** The Pulumi project name, which is also the config namespace of every key the program reads. */
export const CONFIG_NAMESPACE = "aios-infra";

/** Deployment environments; staging and production are stricter. */
export const ENVIRONMENTS = ["dev", "staging", "production"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
