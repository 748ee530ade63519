/**
 * The policy executor add-on (aios-spec §3.4), declared instead of asked for through
 * `create-infra` (whose documented bodies fail): `executor-<id>` with its redis in
 * `policies-system`, the in-cluster `executor-svc-<id>` the executor names itself by
 * (`JOB_MANAGER_URL`), REST on a NodePort of the plan, the redis on one only when asked and then
 * behind a generated password, the `/executor/<id>/` route through the gateway, and RBAC limited
 * to the `policies` namespace where it runs policy Jobs, Deployments and autoscalers — instead of
 * upstream's cluster-admin binding of `policies-system/default`.
 */
import { MANAGE, READ } from "../k8s/access";
import type { GatewayRoute } from "../cluster/gateway/gateway-specs";
import { GLOBAL_SERVICES_MAP_KEYS } from "../config/network-endpoints";
import { allow } from "../k8s/network-policies";
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer, type ServicePortArgs } from "../k8s/workload-specs";
import {
  ADDON_NAMESPACES,
  ADDON_PORTS,
  image,
  planned,
  serviceDns,
  type AddonSpecContext,
} from "./addon-endpoints";
import type { PolicyExecutorSettings } from "./addon-settings";

const NS = ADDON_NAMESPACES.policyExecutor;
const JOBS_NS = ADDON_NAMESPACES.policyJobs;

/** The executor's id: configured, else the cluster id. */
export function executorId(ctx: AddonSpecContext, s: PolicyExecutorSettings): string {
  return s.executorId ?? ctx.clusterId;
}

/** Object names of one executor. */
export function executorNames(id: string) {
  return {
    workload: `executor-${id}`,
    /** Upstream's in-cluster Service (rest and redis), what `JOB_MANAGER_URL` names. */
    service: `executor-svc-${id}`,
    /** The NodePort Service (rest, and redis when exposed). */
    publicService: `executor-public-${id}`,
    redisSecret: `executor-redis-${id}`,
  } as const;
}

/** What the executor does in `policies`: policy Jobs, function Deployments and their autoscalers. */
export const POLICY_JOB_RULES = [
  { apiGroups: ["batch"], resources: ["jobs"], verbs: [...MANAGE] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: [...MANAGE] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...MANAGE] },
  { apiGroups: [""], resources: ["services"], verbs: [...MANAGE] },
  { apiGroups: [""], resources: ["pods"], verbs: [...READ] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
];

/** The part of the network's map upstream passes as `GLOBAL_SERVICES_MAP`. */
function globalServicesMap(ctx: AddonSpecContext): string {
  const n = ctx.network as Readonly<Record<string, unknown>>;
  return JSON.stringify(
    Object.fromEntries(
      GLOBAL_SERVICES_MAP_KEYS.filter((k) => n[k] !== undefined).map((k) => [k, n[k]]),
    ),
  );
}

/** `policies-system/executor-<id>`: the executor and its redis. */
export function policyExecutorWorkload(
  ctx: AddonSpecContext,
  s: PolicyExecutorSettings,
): WorkloadArgs {
  const id = executorId(ctx, s);
  const names = executorNames(id);
  const password = s.exposeRedis
    ? { REDIS_PASSWORD: { secret: names.redisSecret, key: "password" } }
    : undefined;
  const rest: ServicePortArgs = { name: "rest", port: ADDON_PORTS.executor };
  const redis: ServicePortArgs = { name: "redis", port: ADDON_PORTS.redis };
  return {
    clusterId: ctx.clusterId,
    namespace: NS,
    name: names.workload,
    component: "policy-executor",
    kind: "Deployment",
    access: { namespaced: { [JOBS_NS]: POLICY_JOB_RULES } },
    containers: [
      buildContainer({
        name: names.workload,
        image: image(ctx, "policyExecutor"),
        ports: [{ name: "rest", containerPort: ADDON_PORTS.executor }],
        readiness: { port: "rest", tcp: true },
        resources: { cpuMillicores: 250, memoryMiB: 512, memoryLimitMiB: 1024 },
        env: {
          EXECUTOR_ID: id,
          JOB_MANAGER_URL: serviceDns(names.service, NS),
          DB_URL: ctx.network.policy_db_url,
          DB_API_URL: ctx.network.policy_db_url,
          POLICY_DB_URL: ctx.network.policy_db_url,
          MAX_PROCESSES: String(s.maxProcesses),
          GLOBAL_SERVICES_MAP: globalServicesMap(ctx),
          ...(s.policyImage === undefined ? {} : { DEFAULT_POLICY_CONTAINER_IMAGE: s.policyImage }),
          ...(s.policyJobImage === undefined
            ? {}
            : { DEFAULT_POLICY_JOB_CONTAINER_IMAGE_NAME: s.policyJobImage }),
        },
        ...(password === undefined ? {} : { secretEnv: password }),
      }),
      buildContainer({
        name: "redis",
        image: image(ctx, "redis"),
        ...(password === undefined ? {} : { args: ["--requirepass", "$(REDIS_PASSWORD)"] }),
        ports: [{ name: "redis", containerPort: ADDON_PORTS.redis }],
        readiness: { port: "redis", tcp: true },
        resources: { cpuMillicores: 50, memoryMiB: 128, memoryLimitMiB: 256 },
        ...(password === undefined ? {} : { secretEnv: password }),
      }),
    ],
    ingress: [
      allow(["rest"]),
      // Policy Jobs reach the redis in-cluster; from outside only when exposed (then with a password).
      allow(
        ["redis"],
        s.exposeRedis
          ? []
          : [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": JOBS_NS } } }],
      ),
    ],
    services: [
      { name: names.service, ports: [rest, redis] },
      {
        name: names.publicService,
        ports: [
          { ...rest, nodePort: planned(ctx, "policyExecutor") },
          ...(s.exposeRedis ? [{ ...redis, nodePort: planned(ctx, "policyExecutorRedis") }] : []),
        ],
      },
    ],
  };
}

/** The gateway route `/executor/<id>/` (upstream's `executor-mapping-<id>`). */
export function executorRoute(ctx: AddonSpecContext, s: PolicyExecutorSettings): GatewayRoute {
  const id = executorId(ctx, s);
  return {
    name: `executor-${id}`,
    prefix: `/executor/${id}/`,
    service: `${executorNames(id).service}.${NS}:${ADDON_PORTS.executor}`,
  };
}

/** The body posted to `/executor` (with the `cluster_public_ip` upstream's docs forget). */
export function policyExecutorEntry(
  ctx: AddonSpecContext,
  s: PolicyExecutorSettings,
): Record<string, unknown> {
  return {
    executor_id: executorId(ctx, s),
    executor_metadata: { ...s.metadata, cluster_id: ctx.clusterId },
    executor_hardware_info: s.hardwareInfo,
    executor_status: "healthy",
    cluster_public_ip: ctx.publicHostname,
  };
}
