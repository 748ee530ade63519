/**
 * The stacks a project directory declares (its `Pulumi.<stack>.yaml` files) and how they depend on
 * each other: a cluster stack on the stack named by `aios-infra:networkStack`, a blocks-only stack
 * on the one named by `aios-infra:clusterStack`, an operations stack on the one its
 * `aios-infra:selfHealing.stack` reconciles. Roles follow from those references: a stack other
 * stacks take the network from is the network's, a stack with `clusterStack` is a blocks stack, a
 * stack with `selfHealing` an operations stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_NAMESPACE } from "../components/config";
import { readStackFile } from "./pulumi/project-files";

/** This project's name, the middle part of a fully qualified stack reference. */
export const PROJECT_NAME = "aios-infra";

/** What a stack is for, which decides its place in the run order. */
export type StackRole = "network" | "cluster" | "blocks" | "operations";

/** One stack of the catalog. */
export interface StackEntry {
  /** Stack name (the `<stack>` of `Pulumi.<stack>.yaml`). */
  readonly name: string;
  /** `aios-infra:environment` (default `dev`). */
  readonly environment: string;
  /** The cluster's id: its own `aios-infra:cluster.id`, or for a blocks stack its cluster stack's. */
  readonly clusterId?: string;
  readonly role: StackRole;
  /** Stacks of this project it takes outputs from (by name). */
  readonly dependsOn: readonly string[];
  /** Whether the stack names its cluster (`aios-infra:kubeconfig`). */
  readonly hasKubeconfig: boolean;
}

const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;

/**
 * The local name of a stack reference when it points at this project (`<org>/aios-infra/<stack>`
 * or a bare `<stack>`), else undefined (another project's stack is not ours to order).
 */
export function referencedStackName(reference: unknown): string | undefined {
  if (typeof reference !== "string") {
    return undefined;
  }
  const parts = reference.split("/");
  if (parts.length === 1) {
    return parts[0];
  }
  return parts.length === 3 && parts[1] === PROJECT_NAME ? parts[2] : undefined;
}

/** The catalog of stacks with these configs (stack name → its stack file's `config`). */
export function buildCatalog(
  configs: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): StackEntry[] {
  const names = Object.keys(configs).sort();
  const reconciled = (config: Readonly<Record<string, unknown>>): unknown =>
    (config[key("selfHealing")] as { stack?: unknown } | undefined)?.stack;
  const deps = (config: Readonly<Record<string, unknown>>) =>
    [config[key("networkStack")], config[key("clusterStack")], reconciled(config)]
      .map(referencedStackName)
      .filter((n): n is string => n !== undefined);
  const networkProviders = new Set(
    names
      .map((n) => referencedStackName(configs[n][key("networkStack")]))
      .filter((n) => n !== undefined),
  );
  const ownClusterId = (config: Readonly<Record<string, unknown>>): string | undefined => {
    const cluster = config[key("cluster")] as { id?: unknown } | undefined;
    return typeof cluster?.id === "string" ? cluster.id : undefined;
  };
  return names.map((name) => {
    const config = configs[name];
    const operations = config[key("selfHealing")] !== undefined;
    const clusterStack = referencedStackName(
      operations ? reconciled(config) : config[key("clusterStack")],
    );
    const environment = config[key("environment")];
    const role: StackRole = operations
      ? "operations"
      : clusterStack !== undefined || config[key("clusterStack")] !== undefined
        ? "blocks"
        : networkProviders.has(name)
          ? "network"
          : "cluster";
    const clusterId =
      role === "blocks" || role === "operations"
        ? clusterStack === undefined || configs[clusterStack] === undefined
          ? undefined
          : ownClusterId(configs[clusterStack])
        : ownClusterId(config);
    return {
      name,
      environment: typeof environment === "string" ? environment : "dev",
      ...(clusterId === undefined ? {} : { clusterId }),
      role,
      dependsOn: deps(config).filter((d) => d !== name && configs[d] !== undefined),
      hasKubeconfig: config[key("kubeconfig")] !== undefined,
    };
  });
}

/** The stack files of `dir`: stack name → its `config` section. */
export function readStackConfigs(dir: string): Record<string, Record<string, unknown>> {
  const configs: Record<string, Record<string, unknown>> = {};
  for (const file of fs.readdirSync(dir)) {
    const match = /^Pulumi\.(.+)\.ya?ml$/.exec(file);
    if (match === null) {
      continue;
    }
    configs[match[1]] = readStackFile(path.join(dir, file))?.config ?? {};
  }
  return configs;
}

/** The catalog of the stack files in `dir`. */
export function loadCatalog(dir: string): StackEntry[] {
  return buildCatalog(readStackConfigs(dir));
}
