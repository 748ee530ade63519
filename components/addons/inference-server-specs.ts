/**
 * The adhoc inference server add-on (aios-spec §3.3), declared with upstream's defects fixed: the
 * server in namespace `inference-server` with gRPC on 50052 (how vDAG controllers find it) and
 * REST on 20000; the env the server really reads (`INFERENCE_REDIS_HOST/PORT`,
 * `INCLUSTER_REDIS_HOST`, `IN_CLUSTER_REDIS_PORT`, `CLUSTER_ID`, `DB_*`, with the password from a
 * Secret rather than upstream's empty `DB_PASSWORD`); a persistent TimescaleDB under the host name
 * upstream's docs expect to work; a redis that is never on a NodePort (upstream's 31300).
 */
import { READ } from "../k8s/access";
import { recommendedLabels } from "../k8s/labels";
import { aiosNamespaces, allow, podsNamed } from "../k8s/network-policies";
import { controllerName, SERVICE_NAMESPACES } from "../cluster/service-endpoints";
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer } from "../k8s/workload-specs";
import {
  ADDON_NAMESPACES,
  ADDON_PORTS,
  image,
  planned,
  publicUrl,
  serviceDns,
  type AddonSpecContext,
} from "./addon-endpoints";
import { entryName } from "./addon-entry";
import type { InferenceServerSettings } from "./addon-settings";

/** Object names of the inference server. */
export const INFERENCE = {
  server: "inference-server",
  db: "timescaledb",
  /** Upstream's DB Service name (`timescaledb-primary.inference-server.svc.cluster.local`). */
  dbService: "timescaledb-primary",
  dbSecret: "timescaledb-credentials",
  redis: "redis",
} as const;

const NS = ADDON_NAMESPACES.inferenceServer;

/** `inference-server/timescaledb`: authenticated, on a volume from the StatefulSet. */
export function timescaleWorkload(ctx: AddonSpecContext, s: InferenceServerSettings): WorkloadArgs {
  return {
    clusterId: ctx.clusterId,
    namespace: NS,
    name: INFERENCE.db,
    component: "inference-db",
    kind: "StatefulSet",
    containers: [
      buildContainer({
        name: "timescaledb",
        image: image(ctx, "timescaledb"),
        ports: [{ name: "postgres", containerPort: ADDON_PORTS.postgres }],
        readiness: { port: "postgres", tcp: true },
        resources: { cpuMillicores: 250, memoryMiB: 512, memoryLimitMiB: 2048 },
        env: {
          POSTGRES_DB: s.db.database,
          POSTGRES_USER: s.db.user,
          // A subdirectory: the volume's root may hold lost+found, which initdb refuses.
          PGDATA: "/var/lib/postgresql/data/pgdata",
          TIMESCALEDB_TELEMETRY: "off",
        },
        secretEnv: { POSTGRES_PASSWORD: { secret: INFERENCE.dbSecret, key: "password" } },
        volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
      }),
    ],
    volumeClaim: { name: "data", ...s.db.volume },
    ingress: [allow(["postgres"], [podsNamed(INFERENCE.server)])],
    services: [
      { name: INFERENCE.dbService, ports: [{ name: "postgres", port: ADDON_PORTS.postgres }] },
    ],
  };
}

/** `inference-server/redis`: unauthenticated (the server has no password setting), so closed. */
export function inferenceRedisWorkload(ctx: AddonSpecContext): WorkloadArgs {
  return {
    clusterId: ctx.clusterId,
    namespace: NS,
    name: INFERENCE.redis,
    component: "inference-queue",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "redis",
        image: image(ctx, "redis"),
        ports: [{ name: "redis", containerPort: ADDON_PORTS.redis }],
        readiness: { port: "redis", tcp: true },
        resources: { cpuMillicores: 50, memoryMiB: 128, memoryLimitMiB: 512 },
      }),
    ],
    // The server, and this cluster's AIOS pods (blocks reach the queue in-cluster).
    ingress: [allow(["redis"], [podsNamed(INFERENCE.server), aiosNamespaces(ctx.clusterId)])],
    services: [{ name: INFERENCE.redis, ports: [{ name: "redis", port: ADDON_PORTS.redis }] }],
  };
}

/** `inference-server/inference-server` and its NodePort Service. */
export function inferenceServerWorkload(
  ctx: AddonSpecContext,
  s: InferenceServerSettings,
  instanceId: string,
): WorkloadArgs {
  const redisHost = serviceDns(INFERENCE.redis, NS);
  return {
    clusterId: ctx.clusterId,
    namespace: NS,
    name: INFERENCE.server,
    component: "inference-server",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "inference-server",
        image: image(ctx, "inferenceServer"),
        ports: [
          { name: "grpc", containerPort: ADDON_PORTS.inferenceGrpc },
          { name: "rest", containerPort: ADDON_PORTS.inferenceRest },
        ],
        readiness: { port: "grpc", tcp: true },
        resources: { cpuMillicores: 250, memoryMiB: 512, memoryLimitMiB: 2048 },
        env: {
          ADHOC_INSTANCE_ID: instanceId,
          CLUSTER_ID: ctx.clusterId,
          DB_HOST: serviceDns(INFERENCE.dbService, NS),
          DB_PORT: String(ADDON_PORTS.postgres),
          DB_USER: s.db.user,
          DB_NAME: s.db.database,
          INFERENCE_REDIS_HOST: redisHost,
          INFERENCE_REDIS_PORT: String(ADDON_PORTS.redis),
          INCLUSTER_REDIS_HOST: redisHost,
          IN_CLUSTER_REDIS_PORT: String(ADDON_PORTS.redis),
          BLOCKS_URL: ctx.network.blocks_db_url,
          BLOCKS_DB_URL: ctx.network.blocks_db_url,
          ...(ctx.network.search_server_url === undefined
            ? {}
            : { SEARCH_SERVER_API_URL: ctx.network.search_server_url }),
          DISCOVERY_MODE: "gateway",
        },
        secretEnv: { DB_PASSWORD: { secret: INFERENCE.dbSecret, key: "password" } },
      }),
    ],
    services: [
      {
        name: INFERENCE.server,
        ports: [
          {
            name: "grpc",
            port: ADDON_PORTS.inferenceGrpc,
            nodePort: planned(ctx, "inferenceGrpc"),
          },
          {
            name: "rest",
            port: ADDON_PORTS.inferenceRest,
            nodePort: planned(ctx, "inferenceRest"),
          },
        ],
      },
    ],
  };
}

/** The entry posted to `/inference_server`. */
export function inferenceServerEntry(
  ctx: AddonSpecContext,
  s: InferenceServerSettings,
  id: string,
): Record<string, unknown> {
  return {
    inference_server_id: id,
    inference_server_name: entryName(ctx.clusterId, s.name, "inference-server"),
    inference_server_metadata: {
      ...s.metadata,
      cluster_id: ctx.clusterId,
      rest_url: publicUrl(ctx, "inferenceRest"),
    },
    inference_server_tags: s.tags,
    inference_server_public_url: publicUrl(ctx, "inferenceGrpc"),
  };
}

/**
 * Read access to the Services of `inference-server` for the cluster controller, which finds
 * inference servers for the vDAG controllers it creates by listing them (aios-spec §3.3): a Role
 * and RoleBinding in this namespace, owned by the add-on.
 */
export function controllerDiscoveryAccess(ctx: AddonSpecContext) {
  const name = `${controllerName(ctx.clusterId)}-discovery`;
  const metadata = {
    name,
    namespace: NS,
    labels: recommendedLabels({ name, component: "inference-server", clusterId: ctx.clusterId }),
  };
  return {
    role: { metadata, rules: [{ apiGroups: [""], resources: ["services"], verbs: [...READ] }] },
    binding: {
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [
        {
          kind: "ServiceAccount",
          name: controllerName(ctx.clusterId),
          namespace: SERVICE_NAMESPACES.controllers,
        },
      ],
    },
  };
}
