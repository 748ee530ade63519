/** Cluster documents for tests. */
import type { ClusterDocumentInput } from "../../components/config";
import seed = require("../fixtures/seed-cluster.json");

/** The onboarding seed's example document, its `//` comments removed. */
export const SEED_CLUSTER = seed as unknown as ClusterDocumentInput;

/** A minimal valid document with the given id and nodes (`[id, kubernetesNodeName?]`). */
export function minimalCluster(
  id: string,
  nodes: readonly (readonly [string, string?])[],
): ClusterDocumentInput {
  return {
    id,
    regionId: "local",
    nodes: {
      nodeData: nodes.map(([nodeId, kubernetesNodeName]) => ({
        id: nodeId,
        ...(kubernetesNodeName === undefined ? {} : { kubernetesNodeName }),
        vcpus: { count: 8 },
        memory: 32768,
      })),
    },
    config: { publicHostname: "127.0.0.1" },
    clusterMetadata: { name: id, description: "test cluster", owner: "aios-infra tests" },
  };
}

/** The document with one NVIDIA L4 (24576 MB) on node `index`. */
export function withGpu(doc: ClusterDocumentInput, index: number): ClusterDocumentInput {
  const copy = structuredClone(doc);
  copy.nodes.nodeData[index].gpus = {
    count: 1,
    memory: 24576,
    gpus: [{ modelName: "NVIDIA L4", memory: 24576 }],
  };
  return copy;
}

/** Network endpoints (upstream's GLOBAL_SERVICES_MAP) for tests; nothing listens there. */
export const NETWORK = {
  global_block_metrics_redis_host: "redis://mgmt.test:30200/0",
  global_cluster_metrics_redis_host: "redis://mgmt.test:30200/1",
  global_vdag_metrics_redis_host: "redis://mgmt.test:30200/2",
  policy_db_url: "http://mgmt.test:30102",
  blocks_db_url: "http://mgmt.test:30100",
  cluster_db_url: "http://mgmt.test:30101",
  vdag_db_url: "http://mgmt.test:30103",
  vdag_controller_db_url: "http://mgmt.test:30104",
} as const;

/** Raw stack config (as parseStackConfig receives it) with the test network unless given. */
export function withNetwork(raw: unknown): unknown {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw) && !("network" in raw)
    ? { network: NETWORK, ...raw }
    : raw;
}

/** Gateway settings for the local control plane: the offline stand-in chart (no internet). */
export const OFFLINE_GATEWAY = { chart: { path: "test/fixtures/charts/ambassador-offline" } };

/** Each image key pinned to `registry.example/aios/<key>:<tag>`, as staging and production name them. */
export function pinnedImages(keys: readonly string[], tag = "1.4.2"): Record<string, string> {
  return Object.fromEntries(
    keys.map((k) => [k, `registry.example/aios/${k.toLowerCase()}:${tag}`]),
  );
}

/** The test network with its Parser, gateway and cluster registry at `url` (the AIOS double). */
export function registeringNetwork(url: string) {
  return { ...NETWORK, parser_url: url, cluster_controller_gateway_url: url, cluster_db_url: url };
}

/** A block with no system whose init container finishes at once with a server URL (kwok). */
export function finishingBlock(id: string) {
  const finished = { status: "finish", stage: "finish", result: { server_url: "http://s:1" } };
  return {
    id,
    name: "srv",
    system: { kind: "none" },
    initContainer: {
      image: "registry.local/init:1.0.0",
      statusSource: "termination-message",
      podAnnotations: { "e2e.aios.io/termination-message": JSON.stringify(finished) },
    },
  };
}
