/**
 * The stack configuration, parsed once with zod at the edge of the program. Everything below it
 * receives typed, validated values; every invalid input is reported at once in one
 * {@link ConfigError}, before a single resource is registered.
 *
 * Secrets (the kubeconfig) never pass through the schema: they stay Pulumi secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, problemsFromZod, type ConfigProblem } from "./config-errors";

/** The Pulumi project name, which is also the config namespace. */
export const CONFIG_NAMESPACE = "aios-infra";

/** Config keys the program reads; any other key in the namespace is reported as a typo. */
export const CONFIG_KEYS = ["environment", "cluster", "kubeconfig"] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const dnsLabel = z.string().max(63, { error: "must be at most 63 characters" }).regex(DNS_LABEL, {
  error:
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
});

const nodeName = z
  .string()
  .max(253, { error: "must be at most 253 characters" })
  .regex(DNS_SUBDOMAIN, {
    error:
      "must be a Kubernetes node name (DNS-1123 subdomain): lowercase letters, digits, '-' and '.'",
  });

const labelValue = z
  .string()
  .max(63, { error: "must be at most 63 characters (it becomes the nodeID label value)" })
  .regex(LABEL_VALUE, {
    error:
      "must be a valid label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  });

/** Deployment environments; staging and production are stricter. */
export const ENVIRONMENTS = ["dev", "staging", "production"] as const;

/** One node of the AIOS cluster document. */
export const nodeSchema = z.strictObject({
  /** AIOS node id, set as the node's `nodeID` label. */
  id: labelValue,
  /** Kubernetes node name. @default - the node's id */
  kubernetesNodeName: nodeName.optional(),
});

/** The AIOS cluster document (the subset the program consumes so far). */
export const clusterSchema = z
  .strictObject({
    /** Cluster id; names the cluster's objects (`<id>-controller`), so a DNS-1123 label. */
    id: dnsLabel,
    nodes: z.strictObject({
      /** Number of nodes. @default - the length of `nodeData` */
      count: z.int().min(1).optional(),
      nodeData: z.array(nodeSchema).min(1, { error: "must list at least one node" }),
    }),
  })
  .superRefine((cluster, ctx) => {
    const { count, nodeData } = cluster.nodes;
    if (count !== undefined && count !== nodeData.length) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes", "count"],
        input: count,
        message: `must equal the number of entries in nodes.nodeData (${nodeData.length}), or be omitted`,
      });
    }
    const duplicateIds = reportDuplicates(
      ctx,
      nodeData,
      (n) => n.id,
      "id",
      "node ids must be unique",
    );
    // A repeated id already names the entry; report a shared node name only for distinct ids.
    reportDuplicates(
      ctx,
      nodeData,
      (n) => (duplicateIds.has(n) ? undefined : (n.kubernetesNodeName ?? n.id)),
      "kubernetesNodeName",
      "each Kubernetes node may carry only one AIOS node",
    );
  });

/** The whole (non-secret) stack configuration. */
export const stackConfigSchema = z.strictObject({
  /** Deployment environment. @default "dev" */
  environment: z.enum(ENVIRONMENTS).default("dev"),
  /** The AIOS cluster document. */
  cluster: clusterSchema,
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ClusterNode = z.infer<typeof nodeSchema>;

/** A node of the parsed configuration, with its defaults applied. */
export interface ResolvedNode {
  /** AIOS node id (the `nodeID` label value). */
  readonly id: string;
  /** Kubernetes node name. */
  readonly kubernetesNodeName: string;
}

/** The parsed stack configuration. */
export interface StackConfig {
  readonly environment: (typeof ENVIRONMENTS)[number];
  readonly clusterId: string;
  readonly nodes: readonly ResolvedNode[];
}

/**
 * Validates raw config values (as read from the stack) and returns the typed configuration, or
 * throws one {@link ConfigError} naming every problem. `unknownKeys` are namespace keys the stack
 * sets that the program does not read.
 */
export function parseStackConfig(raw: unknown, unknownKeys: readonly string[] = []): StackConfig {
  const problems: ConfigProblem[] = unknownKeys.map((key) => ({
    path: `${CONFIG_NAMESPACE}:${key}`,
    message: `is not a known setting; known settings: ${CONFIG_KEYS.join(", ")}`,
    received: "a value",
  }));
  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    problems.push(...problemsFromZod(CONFIG_NAMESPACE, parsed.error.issues));
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }
  const { environment, cluster } = parsed.data;
  return {
    environment,
    clusterId: cluster.id,
    nodes: cluster.nodes.nodeData.map((n) => ({
      id: n.id,
      kubernetesNodeName: n.kubernetesNodeName ?? n.id,
    })),
  };
}

/** Reads the raw values of this stack's config namespace and parses them. */
export function loadStackConfig(config = new pulumi.Config(CONFIG_NAMESPACE)): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of ["environment", "cluster"] as const) {
    raw[key] = readRaw(config, key);
  }
  const prefix = `${CONFIG_NAMESPACE}:`;
  const unknownKeys = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length))
    .filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  return parseStackConfig(raw, unknownKeys);
}

/**
 * Like {@link loadStackConfig}, but reports an invalid configuration as one error diagnostic
 * (no stack trace) and returns undefined; the engine then fails the preview or update before any
 * resource is registered.
 */
export async function loadStackConfigOrReport(
  config = new pulumi.Config(CONFIG_NAMESPACE),
): Promise<StackConfig | undefined> {
  try {
    return loadStackConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) {
      await pulumi.log.error(e.message);
      return undefined;
    }
    throw e;
  }
}

/** A config value as structured data when it is JSON, else as the plain string. */
function readRaw(config: pulumi.Config, key: string): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    return config.get(key);
  }
}

/** Reports every entry whose key repeats an earlier one; returns the repeating entries. */
function reportDuplicates<T>(
  ctx: z.RefinementCtx,
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
  field: string,
  why: string,
): Set<T> {
  const first = new Map<string, number>();
  const repeated = new Set<T>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) {
      return;
    }
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    repeated.add(item);
    ctx.addIssue({
      code: "custom",
      path: ["nodes", "nodeData", index, field],
      input: key,
      message: `duplicates nodes.nodeData[${earlier}] (${why})`,
    });
  });
  return repeated;
}
