/** The Pulumi project name, which is also the config namespace of every key the program reads. */
export const CONFIG_NAMESPACE = "aios-infra";
