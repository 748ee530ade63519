/**
 * The AIOS cluster document (aios-spec §2.6 and the onboarding seed's example): what the network's
 * cluster registry stores about a cluster. Sizes are in MB. Aggregates (gpus, vcpus, memory, swap,
 * storage, network) are computed from the nodes when omitted, and checked against them when given.
 */
import { z } from "zod";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const HOSTNAME_OR_IP =
  /^([a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;

export const dnsLabel = z
  .string()
  .max(63, { error: "must be at most 63 characters" })
  .regex(DNS_LABEL, {
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

/** A count or size: a whole number, zero or more. */
const amount = z.int({ error: "must be a whole number" }).min(0, { error: "must be 0 or more" });
/** A size in MB. */
const megabytes = amount;

/** One GPU of a node, as `gpu.aios/info` lists it. */
export const gpuSchema = z.strictObject({
  modelName: z.string().min(1, { error: "must name the GPU model" }),
  /** GPU memory in MB. */
  memory: megabytes,
});

/** A node's GPUs. */
export const nodeGpusSchema = z.strictObject({
  count: amount,
  /** Total GPU memory in MB. */
  memory: megabytes,
  gpus: z.array(gpuSchema).default([]),
  features: z.array(z.string()).default([]),
  /** @default - the distinct model names of `gpus` */
  modelNames: z.array(z.string()).optional(),
});

const storageSchema = z.strictObject({ disks: amount, size: megabytes });
const networkSchema = z.strictObject({
  interfaces: amount,
  /** Mbit/s. */
  txBandwidth: amount,
  /** Mbit/s. */
  rxBandwidth: amount,
});

const NO_GPUS = { count: 0, memory: 0, gpus: [], features: [] };
const NO_STORAGE = { disks: 0, size: 0 };
const NO_NETWORK = { interfaces: 0, txBandwidth: 0, rxBandwidth: 0 };

/** One node of the cluster document. */
export const nodeSchema = z.strictObject({
  /** AIOS node id, set as the node's `nodeID` label. */
  id: labelValue,
  /** Kubernetes node name. @default - the node's id */
  kubernetesNodeName: nodeName.optional(),
  gpus: nodeGpusSchema.default(NO_GPUS),
  vcpus: z.strictObject({ count: amount }).default({ count: 0 }),
  /** Memory in MB. */
  memory: megabytes.default(0),
  /** Swap in MB. */
  swap: megabytes.default(0),
  storage: storageSchema.default(NO_STORAGE),
  network: networkSchema.default(NO_NETWORK),
});

/** The `config` section: the keys AIOS code consumes (aios-spec §2.6). */
export const clusterConfigSchema = z.strictObject({
  /** Public host name (or IP) of the cluster: every urlMap entry is built from it. */
  publicHostname: z.string().regex(HOSTNAME_OR_IP, {
    error: "must be a host name or IPv4 address, without scheme or port",
  }),
  /** Route AIOS services through the Ambassador gateway. @default false */
  useGateway: z.boolean().default(false),
  /** @default "" */
  policyExecutorId: z.string().default(""),
  /** @default "local" */
  policyExecutionMode: z.enum(["local", "remote"]).default("local"),
  customPolicySystem: z.record(z.string(), z.unknown()).optional(),
  /** Action → policy URI for the cluster controller's pre-checks. @default {} */
  actionsPolicyMap: z.record(z.string(), z.string()).default({}),
  /** Seconds between metrics collections. @default 30 */
  clusterMetricsCollectInterval: z.int().min(1).default(30),
  stabilityChecker: z
    .strictObject({
      policyRuleURI: z.string(),
      parameters: z.record(z.string(), z.unknown()).default({}),
    })
    .optional(),
  /** sha256 of the kubeadm CA certificate, needed for node joins. */
  certHash: z.string().optional(),
  localNetworkHostName: z.string().optional(),
  secondaryIPs: z.record(z.string(), z.string()).optional(),
  allowExternalNodes: z.boolean().optional(),
});

const clusterMetadataSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().min(1),
  owner: z.string().min(1),
  email: z.string().optional(),
  countries: z.array(z.string()).optional(),
  miscContactInfo: z.record(z.string(), z.unknown()).optional(),
  additionalInfo: z.record(z.string(), z.unknown()).optional(),
});

type NodeDoc = z.infer<typeof nodeSchema>;

/** The aggregates of a document, as the sums of its nodes. */
export function aggregatesOf(nodes: readonly NodeDoc[]) {
  const sum = (f: (n: NodeDoc) => number) => nodes.reduce((acc, n) => acc + f(n), 0);
  return {
    gpus: { count: sum((n) => n.gpus.count), memory: sum((n) => n.gpus.memory) },
    vcpus: { count: sum((n) => n.vcpus.count) },
    memory: sum((n) => n.memory),
    swap: sum((n) => n.swap),
    storage: { disks: sum((n) => n.storage.disks), size: sum((n) => n.storage.size) },
    network: {
      interfaces: sum((n) => n.network.interfaces),
      txBandwidth: sum((n) => n.network.txBandwidth),
      rxBandwidth: sum((n) => n.network.rxBandwidth),
    },
  };
}

/** The AIOS cluster document. */
export const clusterDocumentSchema = z
  .strictObject({
    /** Cluster id; names the cluster's objects (`<id>-controller`), so a DNS-1123 label. */
    id: dnsLabel,
    regionId: z.string().min(1, { error: "must name the region" }),
    /** Not stored by the registry; accepted for compatibility with the onboarding document. */
    status: z.string().optional(),
    nodes: z.strictObject({
      /** @default - the number of entries in nodeData */
      count: z.int().min(1).optional(),
      nodeData: z.array(nodeSchema).min(1, { error: "must list at least one node" }),
    }),
    gpus: z.strictObject({ count: amount, memory: megabytes }).optional(),
    vcpus: z.strictObject({ count: amount }).optional(),
    memory: megabytes.optional(),
    swap: megabytes.optional(),
    storage: storageSchema.optional(),
    network: networkSchema.optional(),
    config: clusterConfigSchema,
    /** @default [] */
    tags: z.array(z.string()).default([]),
    clusterMetadata: clusterMetadataSchema,
    /** @default 0 */
    reputation: z.number().default(0),
  })
  .superRefine((doc, ctx) => {
    const { count, nodeData } = doc.nodes;
    if (count !== undefined && count !== nodeData.length) {
      ctx.addIssue({
        code: "custom",
        path: ["nodes", "count"],
        input: count,
        message: `must equal the number of entries in nodes.nodeData (${nodeData.length}), or be omitted`,
      });
    }
    nodeData.forEach((node, i) => checkNodeGpus(ctx, node, i));
    const computed = aggregatesOf(nodeData);
    for (const key of ["gpus", "vcpus", "memory", "swap", "storage", "network"] as const) {
      checkAggregate(ctx, [key], doc[key], computed[key]);
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

export type ClusterDocumentInput = z.input<typeof clusterDocumentSchema>;
export type ClusterDocumentParsed = z.output<typeof clusterDocumentSchema>;

/** The document with every aggregate filled in and node defaults applied. */
export type ClusterDocument = ClusterDocumentParsed &
  ReturnType<typeof aggregatesOf> & { nodes: { count: number } };

/** Fills in omitted aggregates, node count and GPU model names. */
export function completeDocument(doc: ClusterDocumentParsed): ClusterDocument {
  const computed = aggregatesOf(doc.nodes.nodeData);
  return {
    ...doc,
    ...computed,
    nodes: {
      count: doc.nodes.nodeData.length,
      nodeData: doc.nodes.nodeData.map((n) => ({
        ...n,
        gpus: {
          ...n.gpus,
          modelNames: n.gpus.modelNames ?? [...new Set(n.gpus.gpus.map((g) => g.modelName))],
        },
      })),
    },
  };
}

function checkNodeGpus(ctx: z.RefinementCtx, node: NodeDoc, index: number): void {
  const { gpus } = node.gpus;
  if (gpus.length === 0) {
    return;
  }
  const path = ["nodes", "nodeData", index, "gpus"];
  if (node.gpus.count !== gpus.length) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "count"],
      input: node.gpus.count,
      message: `must equal the number of entries in gpus (${gpus.length})`,
    });
  }
  const memory = gpus.reduce((acc, g) => acc + g.memory, 0);
  if (node.gpus.memory !== memory) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "memory"],
      input: node.gpus.memory,
      message: `must equal the sum of the GPUs' memory (${memory} MB)`,
    });
  }
}

/** Compares a given aggregate (number or object of numbers) with the sum over the nodes. */
function checkAggregate(
  ctx: z.RefinementCtx,
  path: (string | number)[],
  given: unknown,
  computed: unknown,
): void {
  if (given === undefined) {
    return;
  }
  if (typeof computed === "number") {
    if (given !== computed) {
      ctx.addIssue({
        code: "custom",
        path,
        input: given,
        message: `must equal the sum over nodes.nodeData (${computed}), or be omitted to compute it`,
      });
    }
    return;
  }
  for (const [k, v] of Object.entries(computed as Record<string, unknown>)) {
    checkAggregate(ctx, [...path, k], (given as Record<string, unknown>)[k], v);
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
