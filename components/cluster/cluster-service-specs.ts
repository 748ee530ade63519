/**
 * Pure specs of the AIOS cluster services — what upstream's `create-cluster-infra` creates
 * (aios-spec §1.5.2, §1.5.3), declared with its defects fixed: a persistent-capable Mongo, probes
 * and resources on every container, the metrics redis never on a NodePort, the controller Service
 * with real ports in both routing modes, membership-server given `CLUSTER_SERVICE_URL`, the
 * grpc-proxy off the gateway's port, and least-privilege access instead of cluster-admin.
 */
import {
  BLOCK_WORKLOAD_RULES,
  BOOTSTRAP_TOKEN_RULES,
  NODE_LABELLER_RULES,
  NODE_READER_RULES,
} from "../k8s/access";
import type { ClusterDocument } from "../config/cluster-document";
import type { ResolvedImages } from "../config/images";
import type { NetworkEndpoints } from "../config/network-endpoints";
import { aiosNamespaces, allow, podsNamed } from "../k8s/network-policies";
import type { NodePortPlan } from "./ports";
import {
  CONTAINER_PORTS,
  controllerName,
  controllerServiceName,
  METRICS_MONGO_URL,
  METRICS_SERVICE_URL,
  METRICS_WRITER_HOST,
  SERVICE_NAMES,
  SERVICE_NAMESPACES,
  SERVICE_PORTS,
} from "./service-endpoints";
import type { WorkloadArgs } from "./workload";
import { buildContainer, type ResourceArgs } from "../k8s/workload-specs";

/** Inputs of the cluster service specs: the parsed configuration they derive from. */
export interface ClusterServicesSpecArgs {
  readonly clusterId: string;
  /** The cluster document's `config` section. */
  readonly settings: ClusterDocument["config"];
  readonly network: NetworkEndpoints;
  readonly images: ResolvedImages;
  readonly nodePorts: NodePortPlan;
  /** Persistent storage of the metrics Mongo. @default - an emptyDir (ephemeral) */
  readonly metricsStorage?: { readonly sizeMB: number; readonly storageClassName?: string };
}

/** One cluster service: the workload's args and the key its Pulumi names derive from. */
export interface ClusterServiceSpec extends WorkloadArgs {
  readonly key: string;
}

const SMALL: ResourceArgs = { cpuMillicores: 50, memoryMiB: 128 };
const REDIS: ResourceArgs = { cpuMillicores: 50, memoryMiB: 64, memoryLimitMiB: 256 };

const { metrics: METRICS_NS, controllers: CONTROLLERS_NS } = SERVICE_NAMESPACES;

function redisContainer(name: string, image: string) {
  return buildContainer({
    name,
    image,
    ports: [{ name: "redis", containerPort: CONTAINER_PORTS.redis }],
    readiness: { port: "redis", tcp: true },
    resources: REDIS,
  });
}

/** The planned NodePort of a claim, when the routing mode exposes it. */
function exposed(p: ClusterServicesSpecArgs, claim: string): number | undefined {
  return p.settings.useGateway ? undefined : p.nodePorts[claim];
}

/** `metrics/cluster-metrics`: the metrics Mongo, ClusterIP only. */
export function metricsDbSpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  const persistent = p.metricsStorage !== undefined;
  return {
    key: "metrics-db",
    clusterId: p.clusterId,
    namespace: METRICS_NS,
    name: "cluster-metrics",
    component: "metrics-db",
    kind: "StatefulSet",
    containers: [
      buildContainer({
        name: "mongodb",
        image: p.images.mongo,
        ports: [{ name: "mongo", containerPort: CONTAINER_PORTS.mongo }],
        readiness: { port: "mongo", tcp: true },
        resources: { cpuMillicores: 100, memoryMiB: 256, memoryLimitMiB: 1024 },
        volumeMounts: [{ name: "data", mountPath: "/data/db" }],
      }),
    ],
    ...(persistent
      ? { volumeClaim: { name: "data", ...p.metricsStorage } }
      : { volumes: [{ name: "data", emptyDir: {} }] }),
    // Unauthenticated (as upstream's code expects): only the metrics-writer may connect.
    ingress: [allow(["mongo"], [podsNamed("metrics-writer")])],
    services: [
      { name: SERVICE_NAMES.metricsDb, ports: [{ name: "mongo", port: CONTAINER_PORTS.mongo }] },
    ],
  };
}

/**
 * `metrics/metrics-writer` with its redis queue. `metrics-writer-svc` (ClusterIP) serves the API
 * and the redis to the collectors; only the API gets a NodePort, on its own Service.
 */
export function metricsWriterSpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  const nodePort = exposed(p, "metrics");
  return {
    key: "metrics-writer",
    clusterId: p.clusterId,
    namespace: METRICS_NS,
    name: "metrics-writer",
    component: "metrics",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "metrics-writer",
        image: p.images.metricsWriter,
        ports: [{ name: "api", containerPort: CONTAINER_PORTS.metricsApi }],
        readiness: { port: "api", tcp: true },
        resources: { cpuMillicores: 100, memoryMiB: 128, memoryLimitMiB: 256 },
        env: {
          BLOCK_METRICS_GLOBAL_DB_REDIS_HOST: p.network.global_block_metrics_redis_host,
          CLUSTER_METRICS_GLOBAL_DB_REDIS_HOST: p.network.global_cluster_metrics_redis_host,
          VDAG_METRICS_GLOBAL_DB_REDIS_HOST: p.network.global_vdag_metrics_redis_host,
          CLUSTER_ID: p.clusterId,
          CLUSTER_METRICS_WRITE_INTERVAL: String(p.settings.clusterMetricsCollectInterval),
          MONGO_URL: METRICS_MONGO_URL,
        },
      }),
      redisContainer("metrics-redis", p.images.redis),
    ],
    // The API is open; the unauthenticated redis queue only to this cluster's AIOS pods.
    ingress: [allow(["api"]), allow(["redis"], [aiosNamespaces(p.clusterId)])],
    services: [
      {
        name: SERVICE_NAMES.metricsWriter,
        ports: [
          { name: "api", port: CONTAINER_PORTS.metricsApi },
          { name: "redis", port: CONTAINER_PORTS.redis },
        ],
      },
      ...(nodePort === undefined
        ? []
        : [
            {
              name: "metrics-writer-api",
              ports: [{ name: "api", port: CONTAINER_PORTS.metricsApi, nodePort }],
            },
          ]),
    ],
  };
}

/** `metrics/metrics-collector`: the privileged per-node collector (reads /proc, /sys, GPUs). */
export function metricsCollectorSpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  return {
    key: "metrics-collector",
    clusterId: p.clusterId,
    namespace: METRICS_NS,
    name: "metrics-collector",
    component: "metrics",
    kind: "DaemonSet",
    containers: [
      buildContainer({
        name: "metrics-collector",
        image: p.images.metricsCollector,
        ports: [{ name: "http", containerPort: CONTAINER_PORTS.collector }],
        readiness: { port: "http", tcp: true },
        resources: SMALL,
        privileged: true,
        env: {
          CLUSTER_ID: p.clusterId,
          COLLECT_INTERVAL: String(p.settings.clusterMetricsCollectInterval),
          METRICS_REDIS_HOST: METRICS_WRITER_HOST,
          NVIDIA_VISIBLE_DEVICES: "all",
          NVIDIA_DRIVER_CAPABILITIES: "all",
          PORT: String(CONTAINER_PORTS.collector),
        },
        fieldEnv: { KUBERNETES_NODE_NAME: "spec.nodeName" },
        volumeMounts: [
          { name: "proc", mountPath: "/host/proc", readOnly: true },
          { name: "sys", mountPath: "/host/sys", readOnly: true },
        ],
      }),
    ],
    volumes: [
      { name: "proc", hostPath: { path: "/proc", type: "Directory" } },
      { name: "sys", hostPath: { path: "/sys", type: "Directory" } },
    ],
    tolerations: [{ operator: "Exists" }],
    nodeSelector: { "kubernetes.io/os": "linux" },
    access: { cluster: NODE_READER_RULES },
  };
}

/** The env of the controller's infra, monitor and health containers (aios-spec §1.5.3). */
export function controllerEnv(p: ClusterServicesSpecArgs): Record<string, string> {
  const n = p.network;
  return {
    CLUSTER_ID: p.clusterId,
    METRICS_SERVICE_URL: METRICS_SERVICE_URL,
    CLUSTER_METRICS_SERVICE_URL: METRICS_SERVICE_URL,
    POLICY_SYSTEM_EXECUTOR_ID: p.settings.policyExecutorId,
    CLUSTER_DEFAULT_POLICY_EXECUTOR: p.settings.policyExecutorId,
    CLUSTER_SERVICE_URL: n.cluster_db_url,
    BLOCKS_SERVICE_URL: n.blocks_db_url,
    VDAG_CONTROLLER_DB_URL: n.vdag_controller_db_url,
    VDAG_DB_API_URL: n.vdag_db_url,
    METRICS_REDIS_HOST: METRICS_WRITER_HOST,
    VDAG_CONTROLLER_IMAGE_NAME: n.vdag_controller_image_name ?? "",
    VDAG_ADHOC_INFERENCE_SERVER_URL: n.vdag_adhoc_inference_server_url ?? "",
    CLUSTER_ACTIONS_MAP: JSON.stringify(p.settings.actionsPolicyMap),
    POLICY_EXECUTION_MODE: p.settings.policyExecutionMode,
    POLICY_DB_URL: n.policy_db_url,
    POLICY_RULE_REMOTE_URL: n.policy_db_url,
    POLICY_EXECUTOR_HOST_URL: n.policy_db_url,
    REDIS_URL: "",
    CLUSTER_DRY_RUN_MODE: "",
  };
}

/**
 * `controllers/<clusterId>-controller`: redis, infra, block-transactions, parameter-updater,
 * monitor and health, in upstream's container order (its docs patch `containers/1`).
 */
export function controllerSpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  const env = controllerEnv(p);
  const blockEnv = {
    BLOCKS_SERVICE_URL: p.network.blocks_db_url,
    CLUSTER_ID: p.clusterId,
    CLUSTER_SERVICE_URL: p.network.cluster_db_url,
  };
  const app = (name: string, image: string, port: string, containerPort: number, e = env) =>
    buildContainer({
      name,
      image,
      ports: [{ name: port, containerPort }],
      readiness: { port, tcp: true },
      resources: SMALL,
      env: e,
    });
  return {
    key: "controller",
    clusterId: p.clusterId,
    namespace: CONTROLLERS_NS,
    name: controllerName(p.clusterId),
    component: "cluster-controller",
    kind: "Deployment",
    containers: [
      redisContainer("redis", p.images.redis),
      app("infra", p.images.controllerInfra, "infra", CONTAINER_PORTS.infra),
      app(
        "block-transactions",
        p.images.blockTransactions,
        "block-tx",
        CONTAINER_PORTS.blockTransactions,
        blockEnv,
      ),
      app(
        "parameter-updater",
        p.images.parameterUpdater,
        "params",
        CONTAINER_PORTS.parameterUpdater,
        blockEnv,
      ),
      app("monitor", p.images.clusterMonitor, "monitor", CONTAINER_PORTS.monitor),
      app("health", p.images.healthChecker, "health", CONTAINER_PORTS.health),
    ],
    access: {
      namespaced: { blocks: BLOCK_WORKLOAD_RULES, vdags: BLOCK_WORKLOAD_RULES },
      cluster: NODE_READER_RULES,
    },
    // The five APIs are open; the redis sidecar (init-container state) is reached over localhost.
    ingress: [allow(["infra", "block-tx", "params", "monitor", "health"])],
    services: [
      {
        name: controllerServiceName(p.clusterId),
        ports: [
          { name: "infra", port: CONTAINER_PORTS.infra, nodePort: exposed(p, "controllerInfra") },
          {
            name: "block-tx",
            port: CONTAINER_PORTS.blockTransactions,
            nodePort: exposed(p, "blockTransactions"),
          },
          { name: "params", port: CONTAINER_PORTS.parameterUpdater, nodePort: exposed(p, "mgmt") },
          { name: "monitor", port: CONTAINER_PORTS.monitor, nodePort: exposed(p, "monitor") },
          { name: "health", port: SERVICE_PORTS.health, nodePort: exposed(p, "health") },
        ],
      },
    ],
  };
}

/** `controllers/membership-server`: node join and sync; labels joining nodes. */
export function membershipSpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  return {
    key: "membership",
    clusterId: p.clusterId,
    namespace: CONTROLLERS_NS,
    name: "membership-server",
    component: "membership",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "membership",
        image: p.images.membershipServer,
        ports: [{ name: "http", containerPort: CONTAINER_PORTS.membership }],
        readiness: { port: "http", tcp: true },
        resources: SMALL,
        env: {
          PYTHONUNBUFFERED: "1",
          CLUSTER_ID: p.clusterId,
          CLUSTER_METRICS_SERVICE_URL: METRICS_SERVICE_URL,
          // Upstream never passes it and falls back to a hard-coded address (aios-spec §8.5).
          CLUSTER_SERVICE_URL: p.network.cluster_db_url,
          POLICY_DB_URL: p.network.policy_db_url,
          POLICY_EXECUTION_MODE: p.settings.policyExecutionMode,
        },
      }),
    ],
    access: {
      cluster: NODE_LABELLER_RULES,
      namespaced: { "kube-system": BOOTSTRAP_TOKEN_RULES },
    },
    services: [
      {
        name: SERVICE_NAMES.membership,
        ports: [
          { name: "http", port: CONTAINER_PORTS.membership, nodePort: p.nodePorts.membership },
        ],
      },
    ],
  };
}

/** `controllers/grpc-proxy`: forwards `InferenceProxy.Infer` calls to block executors' redis. */
export function grpcProxySpec(p: ClusterServicesSpecArgs): ClusterServiceSpec {
  return {
    key: "grpc-proxy",
    clusterId: p.clusterId,
    namespace: CONTROLLERS_NS,
    name: "grpc-proxy",
    component: "grpc-proxy",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "proxy",
        image: p.images.grpcProxy,
        ports: [{ name: "grpc", containerPort: CONTAINER_PORTS.grpc }],
        readiness: { port: "grpc", tcp: true },
        resources: SMALL,
      }),
    ],
    services: [
      {
        name: SERVICE_NAMES.grpcProxy,
        ports: [{ name: "grpc", port: CONTAINER_PORTS.grpc, nodePort: p.nodePorts.grpcProxy }],
      },
    ],
  };
}

/** Every cluster service, in upstream's creation order. */
export function clusterServiceSpecs(p: ClusterServicesSpecArgs): ClusterServiceSpec[] {
  return [
    metricsDbSpec(p),
    metricsWriterSpec(p),
    metricsCollectorSpec(p),
    controllerSpec(p),
    membershipSpec(p),
    grpcProxySpec(p),
  ];
}
