/**
 * The stack configuration, parsed once with zod at the edge of the program. Everything below it
 * receives typed, validated values; every invalid input is reported at once in one
 * {@link ConfigError}, before a single resource is registered.
 *
 * Secrets (the kubeconfig) never pass through the schema: they stay Pulumi secret Outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { clusterDocumentSchema, completeDocument, type ClusterDocument } from "./cluster-document";
import { addonsSchema, type AddonsSettings } from "../addons/addon-settings";
import { addonClaims, addonImageKeys, addonProblems } from "../addons/addon-plan";
import { blockImageKeys, blocksSettingsSchema, type BlockSettings } from "../blocks/block-settings";
import { ConfigError, problemsFromZod, type ConfigProblem } from "./config-errors";
import { CONFIG_NAMESPACE, ENVIRONMENTS } from "./config-namespace";
import { parseBlocksStackConfig, stackName, type BlocksStackConfig } from "./blocks-stack-config";
import {
  parseOperationsStackConfig,
  selfHealingSecretsProblems,
  type OperationsStackConfig,
} from "./operations-stack-config";
import { gatewaySettingsSchema, type GatewaySettings } from "../cluster/gateway/gateway-settings";
import { CLUSTER_IMAGE_KEYS, imagesSchema, resolveImages, type ResolvedImages } from "./images";
import { networkEndpointsSchema, type NetworkEndpoints } from "./network-endpoints";
import { verifyNodesExist } from "./node-inventory";
import {
  DEFAULT_NODE_PORT_RANGE,
  DEFAULT_NODE_PORTS,
  planNodePorts,
  type NodePortClaim,
  type NodePortPlan,
} from "../cluster/ports";

import {
  credentialProblems,
  offloadProblems,
  virtualNodeProblems,
} from "../interlink/virtual-node-checks";
import { virtualNodesSchema, type VirtualNodeSettings } from "../interlink/virtual-node-settings";

export { CONFIG_NAMESPACE };

/** Config keys the program reads; any other key in the namespace is reported as a typo. */
export const CONFIG_KEYS = [
  "environment",
  "cluster",
  "nodePorts",
  "images",
  "verifyNodes",
  "network",
  "gateway",
  "metricsStorage",
  "blocks",
  "addons",
  "registration",
  "infrastructure",
  "networkStack",
  "clusterStack",
  "virtualNodes",
  "clusterAccess",
  "operator",
  "selfHealing",
  "kubeconfig",
  "interlinkCredentials",
  "selfHealingSecrets",
] as const;

/** Keys holding secrets: read as secrets, never parsed into the plain configuration. */
const SECRET_KEYS: readonly string[] = ["kubeconfig", "interlinkCredentials", "selfHealingSecrets"];

/** The config keys read as values (all but the secrets). */
const VALUE_KEYS = CONFIG_KEYS.filter((k) => !SECRET_KEYS.includes(k));

export { ENVIRONMENTS };

const port = z.int().min(1).max(65535);

/** `aios-infra:nodePorts`: the cluster's range and overrides of the default NodePorts. */
export const nodePortsSchema = z
  .strictObject({
    /** The cluster's NodePort range. @default { min: 30000, max: 32767 } */
    range: z.strictObject({ min: port, max: port }).default(DEFAULT_NODE_PORT_RANGE),
    ...(Object.fromEntries(
      Object.keys(DEFAULT_NODE_PORTS).map((claim) => [claim, port.optional()]),
    ) as Record<NodePortClaim, z.ZodOptional<typeof port>>),
  })
  .default({ range: DEFAULT_NODE_PORT_RANGE });

/** The whole (non-secret) stack configuration. */
export const stackConfigSchema = z.strictObject({
  /** Deployment environment. @default "dev" */
  environment: z.enum(ENVIRONMENTS).default("dev"),
  /**
   * How the stack reaches its cluster: `aios-infra:kubeconfig` (or $KUBECONFIG in dev), or the
   * identity of the pod it runs in (`in-cluster`: the Pulumi Kubernetes Operator's workspace,
   * which sets it). @default "kubeconfig"
   */
  clusterAccess: z.enum(["kubeconfig", "in-cluster"]).default("kubeconfig"),
  /** The AIOS cluster document. */
  cluster: clusterDocumentSchema,
  /** NodePort range and overrides. @default - upstream's ports in 30000-32767 */
  nodePorts: nodePortsSchema,
  /** Workload images; pinned outside dev. @default - pinned mongo and redis, no AIOS images */
  images: imagesSchema,
  /** Check at preview that every configured node exists in the cluster. @default true */
  verifyNodes: z.boolean().default(true),
  /** The AIOS network's endpoints (upstream's GLOBAL_SERVICES_MAP). */
  network: networkEndpointsSchema,
  /**
   * A stack whose `network` output provides the endpoints instead (a network stack, or another
   * cluster stack of the same network). @default - `network` from this stack's config
   */
  networkStack: stackName.optional(),
  /** The Ambassador/Emissary gateway. @default - enabled, upstream's chart pinned */
  gateway: gatewaySettingsSchema,
  /** Persistent storage of the metrics Mongo. @default - none (metrics are ephemeral) */
  metricsStorage: z
    .strictObject({
      /** Volume size in MB. @default 10240 */
      sizeMB: z.int().min(1).default(10240),
      /** Storage class. @default - the cluster's default class */
      storageClassName: z.string().min(1).optional(),
    })
    .optional(),
  /** Third-party blocks. @default [] */
  blocks: blocksSettingsSchema,
  /** Optional add-on services. @default {} (none) */
  addons: addonsSchema,
  /** interLink virtual nodes (offloading). @default [] */
  virtualNodes: virtualNodesSchema,
  /**
   * Who creates the cluster services: this stack (`declared`) or the network's gateway through
   * `create-cluster-infra` (`delegated`, which needs registration). @default { mode: "declared" }
   */
  infrastructure: z
    .strictObject({
      mode: z.enum(["declared", "delegated"]).default("declared"),
      /** Seconds to wait for the gateway's task. @default 900 */
      timeoutSeconds: z.int().min(30).max(7200).default(900),
    })
    .default({ mode: "declared", timeoutSeconds: 900 }),
  /** Register the cluster and its urlMap with the AIOS network. @default - not registered */
  registration: z.strictObject({ enabled: z.boolean().default(false) }).default({ enabled: false }),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;

/** A node of the parsed configuration, with its defaults applied. */
export interface ResolvedNode {
  /** AIOS node id (the `nodeID` label value). */
  readonly id: string;
  /** Kubernetes node name. */
  readonly kubernetesNodeName: string;
  /** The node's GPUs (model and memory in MB), for the `gpu.aios/info` annotation. */
  readonly gpus: readonly { readonly modelName: string; readonly memory: number }[];
  /** GPU count (the document's `gpus.count`). */
  readonly gpuCount: number;
  /** CPU cores (0 when the document omits them). */
  readonly vcpus: number;
  /** Memory in MB (0 when the document omits it). */
  readonly memoryMB: number;
  /** An interLink virtual node (the stack creates its Node object). */
  readonly virtual: boolean;
}

/** The parsed configuration of a cluster stack. */
export interface StackConfig {
  readonly kind: "cluster";
  readonly environment: (typeof ENVIRONMENTS)[number];
  /** Through `aios-infra:kubeconfig`, or the identity of the pod the program runs in. */
  readonly clusterAccess: "kubeconfig" | "in-cluster";
  readonly clusterId: string;
  /** The cluster document, aggregates computed. */
  readonly cluster: ClusterDocument;
  readonly nodes: readonly ResolvedNode[];
  /** Every NodePort the stack claims, by claim name. */
  readonly nodePorts: NodePortPlan;
  /** Check at preview that every configured node exists. */
  readonly verifyNodes: boolean;
  /** Workload images by key, defaults applied. */
  readonly images: ResolvedImages;
  /** The AIOS network's endpoints. */
  readonly network: NetworkEndpoints;
  /** The gateway's chart and switches. */
  readonly gateway: GatewaySettings;
  /** Persistent storage of the metrics Mongo, when asked for. */
  readonly metricsStorage?: { readonly sizeMB: number; readonly storageClassName?: string };
  /** Third-party blocks. */
  readonly blocks: readonly BlockSettings[];
  /** The switched-on add-ons, defaults applied. */
  readonly addons: AddonsSettings;
  /** interLink virtual nodes, defaults applied. */
  readonly virtualNodes: readonly VirtualNodeSettings[];
  /** Register the cluster and its urlMap with the AIOS network. */
  readonly register: boolean;
  /** Who creates the cluster services, and how long a delegated creation may take. */
  readonly infrastructure: {
    readonly mode: "declared" | "delegated";
    readonly timeoutSeconds: number;
  };
}

/** The NodePort claims a configuration makes: only the parts it switches on claim ports. */
export function activeClaims(
  gatewayEnabled: boolean,
  useGateway: boolean,
  addons: AddonsSettings = {},
): NodePortClaim[] {
  return [
    ...(gatewayEnabled ? (["gatewayHttp", "gatewayHttps"] as const) : []),
    ...(useGateway
      ? []
      : ([
          "controllerInfra",
          "metrics",
          "blockTransactions",
          "mgmt",
          "monitor",
          "health",
        ] as const)),
    "membership",
    "grpcProxy",
    ...addonClaims(addons),
  ];
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
    throw new ConfigError([...problems, ...problemsFromZod(CONFIG_NAMESPACE, parsed.error.issues)]);
  }
  const { environment, nodePorts, verifyNodes, gateway, network, metricsStorage, addons } =
    parsed.data;
  const useGateway = parsed.data.cluster.config.useGateway;
  const images = resolveImages(parsed.data.images, environment, [
    ...CLUSTER_IMAGE_KEYS,
    ...addonImageKeys(addons).filter((k) => !(CLUSTER_IMAGE_KEYS as readonly string[]).includes(k)),
    ...blockImageKeys(parsed.data.blocks),
  ]);
  problems.push(...images.problems);
  problems.push(
    ...addonProblems(addons, {
      network,
      register: parsed.data.registration.enabled,
      gatewayEnabled: gateway.enabled,
      executorNodePort: nodePorts.policyExecutor ?? DEFAULT_NODE_PORTS.policyExecutor,
    }),
  );
  if (useGateway && !gateway.enabled) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:gateway.enabled`,
      message:
        "must be true when the cluster routes through the gateway (cluster.config.useGateway); enable the gateway or set useGateway to false",
      received: "false",
    });
  }
  if ("service" in gateway.values) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:gateway.values.service`,
      message:
        "is set by the stack from the NodePort plan; set aios-infra:nodePorts.gatewayHttp/gatewayHttps instead",
      received: "a value",
    });
  }
  if (parsed.data.registration.enabled) {
    for (const key of ["parser_url", "cluster_controller_gateway_url"] as const) {
      if (network[key] === undefined) {
        problems.push({
          path: `${CONFIG_NAMESPACE}:network.${key}`,
          message: "is required when aios-infra:registration.enabled is true",
          received: "nothing",
        });
      }
    }
  }
  if (parsed.data.infrastructure.mode === "delegated") {
    if (!parsed.data.registration.enabled) {
      problems.push({
        path: `${CONFIG_NAMESPACE}:infrastructure.mode`,
        message:
          "'delegated' needs aios-infra:registration.enabled: the gateway creates the infrastructure of a registered cluster",
        received: '"delegated"',
      });
    }
    for (const key of ["cluster_controller_gateway_url", "tasks_db_url"] as const) {
      if (network[key] === undefined) {
        problems.push({
          path: `${CONFIG_NAMESPACE}:network.${key}`,
          message: "is required when aios-infra:infrastructure.mode is 'delegated'",
          received: "nothing",
        });
      }
    }
  }
  const { range, ...overrides } = nodePorts;
  const ports = planNodePorts({
    claims: activeClaims(gateway.enabled, useGateway, addons),
    overrides,
    range,
  });
  if (range.min > range.max) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:nodePorts.range`,
      message: "min must not be greater than max",
      received: `${range.min}-${range.max}`,
    });
  } else {
    problems.push(...ports.problems);
  }
  problems.push(...virtualNodeProblems(parsed.data.cluster, parsed.data.virtualNodes));
  problems.push(...offloadProblems(parsed.data.blocks, parsed.data.virtualNodes));
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const cluster = completeDocument(parsed.data.cluster);
  const virtualIds = new Set(parsed.data.virtualNodes.map((v) => v.nodeId));
  return {
    kind: "cluster",
    environment,
    clusterAccess: parsed.data.clusterAccess,
    clusterId: cluster.id,
    cluster,
    nodes: cluster.nodes.nodeData.map((n) => ({
      id: n.id,
      kubernetesNodeName: n.kubernetesNodeName ?? n.id,
      gpus: n.gpus.gpus,
      gpuCount: n.gpus.count,
      vcpus: n.vcpus.count,
      memoryMB: n.memory,
      virtual: virtualIds.has(n.id),
    })),
    nodePorts: ports.plan,
    verifyNodes,
    images: images.images,
    network,
    gateway,
    blocks: parsed.data.blocks,
    addons,
    virtualNodes: parsed.data.virtualNodes,
    register: parsed.data.registration.enabled,
    infrastructure: parsed.data.infrastructure,
    ...(metricsStorage === undefined ? {} : { metricsStorage }),
  };
}

/** The configuration of either kind of stack. */
export type ProgramConfig = StackConfig | BlocksStackConfig | OperationsStackConfig;

/**
 * Reads the raw values of this stack's config namespace and parses them: a cluster stack, or a
 * blocks-only stack when `aios-infra:clusterStack` is set.
 */
export function loadStackConfig(
  config = new pulumi.Config(CONFIG_NAMESPACE),
  resolved: Readonly<Record<string, unknown>> = {},
): ProgramConfig {
  const raw: Record<string, unknown> = {};
  for (const key of VALUE_KEYS) {
    const value = readRaw(config, key);
    if (value !== undefined) {
      raw[key] = value;
    }
  }
  Object.assign(raw, resolved);
  const prefix = `${CONFIG_NAMESPACE}:`;
  const keys = Object.keys(pulumi.runtime.allConfig())
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  const unknownKeys = keys.filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (raw.selfHealing !== undefined) {
    return parseOperationsStackConfig(raw, [...unknownKeys, ...keys], {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
    });
  }
  return raw.clusterStack === undefined
    ? parseStackConfig(raw, unknownKeys)
    : parseBlocksStackConfig(raw, [...unknownKeys, ...Object.keys(raw)]);
}

/**
 * Like {@link loadStackConfig}, but reports an invalid configuration as one error diagnostic
 * (no stack trace) and returns undefined; the engine then fails the preview or update before any
 * resource is registered.
 */
export async function loadStackConfigOrReport(
  config = new pulumi.Config(CONFIG_NAMESPACE),
): Promise<ProgramConfig | undefined> {
  try {
    const parsed = loadStackConfig(config, await resolveReferences(config));
    const inCluster = parsed.kind === "cluster" && parsed.clusterAccess === "in-cluster";
    const access = kubeconfigProblems(
      parsed.environment,
      config.get("kubeconfig") !== undefined,
      inCluster,
    );
    if (access.length > 0) {
      throw new ConfigError(access);
    }
    if (parsed.kind === "operations") {
      const { problems } = selfHealingSecretsProblems(
        readRaw(config, "selfHealingSecrets"),
        parsed.selfHealing.source.repository,
      );
      if (problems.length > 0) {
        throw new ConfigError(problems);
      }
    }
    if (parsed.kind === "cluster") {
      const problems = credentialProblems(
        parsed.virtualNodes,
        readRaw(config, "interlinkCredentials"),
      );
      if (problems.length > 0) {
        throw new ConfigError(problems);
      }
    }
    if (parsed.kind === "cluster" && parsed.verifyNodes) {
      // Read in plain text only to reach the cluster; it is never logged or exported. Virtual
      // nodes are not checked: the stack creates them.
      const problems = await verifyNodesExist(
        parsed.nodes,
        parsed.clusterAccess === "in-cluster" ? undefined : config.get("kubeconfig"),
      );
      if (problems.length > 0) {
        throw new ConfigError(problems);
      }
    }
    return parsed;
  } catch (e) {
    if (e instanceof ConfigError) {
      await pulumi.log.error(e.message);
      return undefined;
    }
    throw e;
  }
}

/**
 * How the stack reaches its cluster, checked: outside dev a kubeconfig in stack config (so a stray
 * `$KUBECONFIG` never picks the cluster) or the pod's own identity (`clusterAccess: in-cluster`);
 * never both — the operator's workspace holds the stack's passphrase, so a kubeconfig in the
 * stack file would give it that kubeconfig's rights and void its scoped RBAC.
 */
export function kubeconfigProblems(
  environment: string,
  hasKubeconfig: boolean,
  inCluster: boolean,
): ConfigProblem[] {
  const at = `${CONFIG_NAMESPACE}:kubeconfig`;
  if (inCluster && hasKubeconfig) {
    return [
      {
        path: at,
        message: `must not be set when ${CONFIG_NAMESPACE}:clusterAccess is in-cluster: the operator's workspace holds this stack's passphrase and could decrypt it, which would void its scoped RBAC; remove it from the stack file of a stack the operator reconciles (pulumi config rm ${at})`,
        received: "a secret value (not shown)",
      },
    ];
  }
  if (environment !== "dev" && !hasKubeconfig && !inCluster) {
    return [
      {
        path: at,
        message: `is required in ${environment}: set it with \`pulumi config set --secret ${at} -- "$(cat kubeconfig.yaml)"\` (only dev may use $KUBECONFIG or the embedded local cluster)`,
        received: "nothing",
      },
    ];
  }
  return [];
}

/**
 * Values that come from other stacks: the network's endpoints from `aios-infra:networkStack`'s
 * `network` output (validated like config; absent when that stack has no such output).
 */
async function resolveReferences(config: pulumi.Config): Promise<Record<string, unknown>> {
  const networkStack = config.get("networkStack");
  // Without it, or malformed (the schema reports that), there is nothing to read.
  if (networkStack === undefined || !stackName.safeParse(networkStack).success) {
    return {};
  }
  const at = `${CONFIG_NAMESPACE}:networkStack`;
  if (readRaw(config, "network") !== undefined) {
    throw new ConfigError([
      {
        path: at,
        message: `set either ${CONFIG_NAMESPACE}:network or ${at}, not both`,
        received: JSON.stringify(networkStack),
      },
    ]);
  }
  const ref = new pulumi.StackReference("network-stack", { name: networkStack });
  const network = (await ref.getOutputDetails("network")).value as unknown;
  if (network === undefined) {
    throw new ConfigError([
      {
        path: at,
        message: `stack ${networkStack} has no network output; reference a deployed network or cluster stack`,
        received: JSON.stringify(networkStack),
      },
    ]);
  }
  return { network };
}

/** A config value as structured data when it is JSON, else as the plain string. */
function readRaw(config: pulumi.Config, key: string): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    return config.get(key);
  }
}
