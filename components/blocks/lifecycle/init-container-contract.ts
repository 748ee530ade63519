/**
 * The init-container contract, as pure functions: the environment an init container gets, the Job
 * that runs one lifecycle (create or delete), and how a run is judged. The dynamic provider
 * serializes these by value, so they capture nothing but constants.
 *
 * Two contracts, chosen by a block's `statusSource` (docs/blocks.md):
 *
 * - `sdk` (the default): images built on the AIOS init-container SDK run unmodified. The Job's pod
 *   has a native sidecar, the SDK endpoint (sdk-endpoint.js), which serves the SDK's startup reads
 *   and records its `executeAction` status updates; the run is judged from that record
 *   (sdk-protocol.ts), since the SDK exits 0 whatever happens.
 * - `termination-message`: the container writes one JSON object to its termination message
 *   (`/dev/termination-log`):
 *
 *     {"status": "finish" | "failed", "stage": "begin" | "main" | "finish",
 *      "message": "…", "result": {"server_url": "…", …}, "stages": [{"stage", "status", "message"}]}
 *
 *   `status: "finish"` (with exit code 0) is success and `result` becomes the resource's outputs.
 *   Anything else fails: a non-zero exit, `status: "failed"`, or no valid JSON.
 */
import type * as k8s from "@pulumi/kubernetes";

/** The two lifecycles an init container runs. */
export type LifecycleMode = "create" | "delete";

/** Stage names of the AIOS init-container SDK. */
export const STAGES = ["begin", "main", "finish"] as const;

/** Label carrying the block id on everything a block's init container creates. */
export const BLOCK_ID_LABEL = "aios.io/block-id";

/** Label of a lifecycle Job's pod: which contract it speaks (`sdk` or `termination-message`). */
export const STATUS_SOURCE_LABEL = "aios.io/status-source";

/** How a run reports: through the SDK endpoint, or its own termination message. */
export type StatusSource = "sdk" | "termination-message";

/** Names of the Job pod's containers. */
export const INIT_CONTAINER_NAME = "init-container";
export const SDK_ENDPOINT_CONTAINER = "sdk-endpoint";
/** Where the SDK endpoint's ConfigMap (script and documents) is mounted in the sidecar. */
export const SDK_ENDPOINT_MOUNT = "/sdk-endpoint";
/** Files of the SDK endpoint's ConfigMap. */
export const SDK_ENDPOINT_FILES = {
  script: "endpoint.js",
  block: "block.json",
  cluster: "cluster.json",
} as const;

/** The SDK endpoint of a run: the sidecar's image, port and ConfigMap, and where it proxies to. */
export interface SdkEndpointSpec {
  readonly image: string;
  /** Port on 127.0.0.1 in the pod (the SDK's CONTROLLER_URL, BLOCK_ and CLUSTER_SERVICE_URL). */
  readonly port: number;
  /** The ConfigMap with the script and the block and cluster documents. */
  readonly configMap: string;
  /** The network's blocks DB, asked first for the block document. @default - supplied only */
  readonly upstreamBlockServiceUrl?: string;
  /** The network's cluster registry, asked first for the cluster document. @default - supplied only */
  readonly upstreamClusterServiceUrl?: string;
}

/** What one lifecycle run needs; the dynamic resource's inputs. */
export interface LifecycleSpec {
  readonly blockId: string;
  readonly clusterId: string;
  /** Namespace the Job runs in. */
  readonly namespace: string;
  readonly image: string;
  /** ServiceAccount of the Job (created by the block component, least privilege). */
  readonly serviceAccountName: string;
  /** The cluster controller's URL (`CONTROLLER_URL` of termination-message images). */
  readonly controllerUrl: string;
  /** The blocks DB API (`BLOCK_SERVICE_URL` of termination-message images). */
  readonly blockServiceUrl: string;
  /** The cluster registry API (`CLUSTER_SERVICE_URL` of termination-message images). */
  readonly clusterServiceUrl: string;
  /** Resource allocation for the system, passed as `ALLOCATION_DATA={"data": …}` on create. */
  readonly allocationData: Readonly<Record<string, unknown>>;
  /** Extra environment variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Annotations of the Job's pod. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Seconds a lifecycle may take, from Job creation to its end. */
  readonly deadlineSeconds: number;
  /** Pod retries of the Job before it fails. */
  readonly backoffLimit: number;
  /** Labels of the Job and its pod. */
  readonly labels: Readonly<Record<string, string>>;
  /** How the run reports. @default "termination-message" (state written before `sdk` existed) */
  readonly statusSource?: StatusSource;
  /** The SDK endpoint, with `statusSource: sdk`. */
  readonly sdkEndpoint?: SdkEndpointSpec;
}

/** The variables a lifecycle sets itself; block env may not override them. */
export const LIFECYCLE_ENV = [
  "BLOCK_ID",
  "CLUSTER_ID",
  "OPERATING_MODE",
  "CONTROLLER_URL",
  "BLOCK_SERVICE_URL",
  "CLUSTER_SERVICE_URL",
  "ALLOCATION_DATA",
] as const;

/**
 * The init container's environment for a lifecycle (`OPERATING_MODE=create|delete`: the SDK
 * reports `init_create_status_update` only for `create`). With the SDK endpoint, the three URLs
 * point at it on the pod's loopback.
 */
export function lifecycleEnv(spec: LifecycleSpec, mode: LifecycleMode): Record<string, string> {
  const local =
    spec.statusSource === "sdk" && spec.sdkEndpoint !== undefined
      ? `http://127.0.0.1:${spec.sdkEndpoint.port}`
      : undefined;
  return {
    ...spec.env,
    BLOCK_ID: spec.blockId,
    CLUSTER_ID: spec.clusterId,
    OPERATING_MODE: mode,
    CONTROLLER_URL: local ?? spec.controllerUrl,
    BLOCK_SERVICE_URL: local ?? spec.blockServiceUrl,
    CLUSTER_SERVICE_URL: local ?? spec.clusterServiceUrl,
    ...(mode === "create"
      ? { ALLOCATION_DATA: JSON.stringify({ data: spec.allocationData }) }
      : {}),
  };
}

/** The Job's name for a lifecycle: `<blockId>-init-<mode>`. */
export function jobName(blockId: string, mode: LifecycleMode): string {
  return `${blockId}-init-${mode}`;
}

/** The status record's name (the SDK endpoint writes progress there, the provider the outcome). */
export function statusConfigMapName(blockId: string): string {
  return `${blockId}-init-status`;
}

type Container = k8s.types.input.core.v1.Container;

const envList = (env: Record<string, string>) =>
  Object.entries(env).map(([name, value]) => ({ name, value }));

/**
 * The SDK endpoint as a native sidecar (an init container that keeps running): started, and
 * answering its probe, before the init container starts; sent SIGTERM once it has exited, when it
 * writes the run's record to its termination message. Non-root, read-only, no capabilities.
 */
export function sdkEndpointContainer(
  spec: LifecycleSpec,
  endpoint: SdkEndpointSpec,
  mode: LifecycleMode,
  runId: string,
): Container {
  const probeScript = `require('http').get('http://127.0.0.1:${endpoint.port}/healthz', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))`;
  return {
    name: SDK_ENDPOINT_CONTAINER,
    image: endpoint.image,
    restartPolicy: "Always",
    command: ["node", `${SDK_ENDPOINT_MOUNT}/${SDK_ENDPOINT_FILES.script}`],
    env: [
      ...envList({
        BLOCK_ID: spec.blockId,
        CLUSTER_ID: spec.clusterId,
        OPERATING_MODE: mode,
        RUN_ID: runId,
        SDK_ENDPOINT_PORT: String(endpoint.port),
        DOCUMENTS_DIR: SDK_ENDPOINT_MOUNT,
        STATUS_CONFIGMAP: statusConfigMapName(spec.blockId),
        ...(endpoint.upstreamBlockServiceUrl === undefined
          ? {}
          : { UPSTREAM_BLOCK_SERVICE_URL: endpoint.upstreamBlockServiceUrl }),
        ...(endpoint.upstreamClusterServiceUrl === undefined
          ? {}
          : { UPSTREAM_CLUSTER_SERVICE_URL: endpoint.upstreamClusterServiceUrl }),
      }),
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    ],
    ports: [{ name: "sdk-endpoint", containerPort: endpoint.port, protocol: "TCP" }],
    startupProbe: {
      exec: { command: ["node", "-e", probeScript] },
      periodSeconds: 1,
      failureThreshold: 60,
    },
    volumeMounts: [{ name: SDK_ENDPOINT_CONTAINER, mountPath: SDK_ENDPOINT_MOUNT, readOnly: true }],
    terminationMessagePolicy: "File",
    resources: {
      requests: { cpu: "10m", memory: "48Mi" },
      limits: { cpu: "200m", memory: "96Mi" },
    },
    securityContext: {
      runAsNonRoot: true,
      // The `node` user of the official Node.js images.
      runAsUser: 1000,
      runAsGroup: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
  };
}

/**
 * The Job that runs one lifecycle: never restarted in place, bounded, with a deadline. Its pod
 * mounts the ServiceAccount's token: the SDK's `K8sConnection` uses the in-cluster config.
 */
export function lifecycleJob(
  spec: LifecycleSpec,
  mode: LifecycleMode,
  runId = "",
): k8s.types.input.batch.v1.Job {
  const source: StatusSource = spec.statusSource ?? "termination-message";
  const endpoint = source === "sdk" ? spec.sdkEndpoint : undefined;
  const labels = {
    ...spec.labels,
    [BLOCK_ID_LABEL]: spec.blockId,
    "aios.io/lifecycle": mode,
    [STATUS_SOURCE_LABEL]: source,
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: jobName(spec.blockId, mode), namespace: spec.namespace, labels },
    spec: {
      backoffLimit: spec.backoffLimit,
      activeDeadlineSeconds: spec.deadlineSeconds,
      // The provider deletes the Job once it has read the result; this is the safety net.
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels, annotations: { ...spec.podAnnotations } },
        spec: {
          restartPolicy: "Never",
          serviceAccountName: spec.serviceAccountName,
          automountServiceAccountToken: true,
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          ...(endpoint === undefined
            ? {}
            : {
                initContainers: [sdkEndpointContainer(spec, endpoint, mode, runId)],
                volumes: [
                  { name: SDK_ENDPOINT_CONTAINER, configMap: { name: endpoint.configMap } },
                ],
              }),
          containers: [
            {
              name: INIT_CONTAINER_NAME,
              image: spec.image,
              env: envList(lifecycleEnv(spec, mode)),
              terminationMessagePolicy: "FallbackToLogsOnError",
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { cpu: "1", memory: "512Mi" },
              },
              securityContext: { allowPrivilegeEscalation: false },
            },
          ],
        },
      },
    },
  };
}

/** One stage's recorded status. */
export interface StageStatus {
  readonly stage: string;
  readonly status: string;
  readonly message: string;
  /** When the update arrived (SDK runs). */
  readonly at?: string;
}

/** How a lifecycle ended. */
export type LifecycleOutcome =
  | {
      readonly ok: true;
      readonly stage: string;
      readonly stages: StageStatus[];
      readonly result: Record<string, unknown>;
      /** finish's data as the run returned it (SDK runs), for the blocks DB. */
      readonly statusData?: unknown;
    }
  | {
      readonly ok: false;
      readonly stage: string;
      readonly stages: StageStatus[];
      readonly reason: string;
    };

/** What the pod reported: its container's exit code and termination message. */
export interface Termination {
  readonly exitCode: number;
  readonly message: string;
}

/** A JSON value as an object's fields ({} for anything that is not a plain object). */
function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}

/** Judges a finished lifecycle from the container's exit code and termination message. */
export function judgeTermination(t: Termination): LifecycleOutcome {
  let report: unknown;
  try {
    report = JSON.parse(t.message);
  } catch {
    report = undefined;
  }
  const r = asRecord(report);
  const str = (v: unknown) =>
    typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v);
  const stage = typeof r.stage === "string" ? r.stage : "unknown";
  const stages: StageStatus[] = Array.isArray(r.stages)
    ? (r.stages as unknown[]).map((s) => {
        const o = asRecord(s);
        return { stage: str(o.stage), status: str(o.status), message: str(o.message) };
      })
    : [];
  const message = str(r.message);
  if (t.exitCode !== 0) {
    return {
      ok: false,
      stage,
      stages,
      reason: `the container exited with code ${t.exitCode}${message !== "" ? `: ${message}` : t.message !== "" && report === undefined ? `: ${t.message.slice(-500)}` : ""}`,
    };
  }
  if (report === undefined || typeof r.status !== "string") {
    return {
      ok: false,
      stage,
      stages,
      reason:
        "the container exited 0 but wrote no JSON status to its termination message (the AIOS SDK exits 0 even when a stage fails, so a zero exit alone is not success)",
    };
  }
  if (r.status !== "finish") {
    return {
      ok: false,
      stage,
      stages,
      reason: `stage '${stage}' reported '${r.status}'${message !== "" ? `: ${message}` : ""}`,
    };
  }
  const result = r.result;
  return {
    ok: true,
    stage: "finish",
    stages,
    result: asRecord(result),
  };
}
