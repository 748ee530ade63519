/**
 * The init-container contract, as pure functions: the environment the AIOS init-container SDK
 * reads, the Job that runs one lifecycle (create or delete), and how the container's result is
 * judged. The dynamic provider serializes these by value, so they capture nothing but constants.
 *
 * Result contract for image authors: the container writes one JSON object to its termination
 * message (`/dev/termination-log`):
 *
 *   {"status": "finish" | "failed", "stage": "begin" | "main" | "finish",
 *    "message": "…", "result": {"server_url": "…", …}, "stages": [{"stage", "status", "message"}]}
 *
 * `status: "finish"` (with exit code 0) is success and `result` becomes the resource's outputs.
 * Anything else fails: a non-zero exit, `status: "failed"`, or no valid JSON — the upstream SDK
 * exits 0 even when a stage fails, so a zero exit alone never counts as success.
 */
import type * as k8s from "@pulumi/kubernetes";

/** The two lifecycles an init container runs. */
export type LifecycleMode = "create" | "delete";

/** Stage names of the AIOS init-container SDK. */
export const STAGES = ["begin", "main", "finish"] as const;

/** Label carrying the block id on everything a block's init container creates. */
export const BLOCK_ID_LABEL = "aios.io/block-id";

/** What one lifecycle run needs; the dynamic resource's inputs. */
export interface LifecycleSpec {
  readonly blockId: string;
  readonly clusterId: string;
  /** Namespace the Job runs in. */
  readonly namespace: string;
  readonly image: string;
  /** ServiceAccount of the Job (created by the block component, least privilege). */
  readonly serviceAccountName: string;
  /** The cluster controller's URL (`CONTROLLER_URL`). */
  readonly controllerUrl: string;
  /** The blocks DB API (`BLOCK_SERVICE_URL`). */
  readonly blockServiceUrl: string;
  /** The cluster registry API (`CLUSTER_SERVICE_URL`). */
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
  /**
   * The network's gateway, whose init-container status API (`queryInitContainerData`) to read stage
   * statuses from instead of the termination message. @default - the termination message
   */
  readonly statusGateway?: string;
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

/** The SDK's environment for a lifecycle (`OPERATING_MODE=create|delete`, as the SDK expects). */
export function lifecycleEnv(spec: LifecycleSpec, mode: LifecycleMode): Record<string, string> {
  return {
    ...spec.env,
    BLOCK_ID: spec.blockId,
    CLUSTER_ID: spec.clusterId,
    OPERATING_MODE: mode,
    CONTROLLER_URL: spec.controllerUrl,
    BLOCK_SERVICE_URL: spec.blockServiceUrl,
    CLUSTER_SERVICE_URL: spec.clusterServiceUrl,
    ...(mode === "create"
      ? { ALLOCATION_DATA: JSON.stringify({ data: spec.allocationData }) }
      : {}),
  };
}

/** The Job's name for a lifecycle: `<blockId>-init-<mode>`. */
export function jobName(blockId: string, mode: LifecycleMode): string {
  return `${blockId}-init-${mode}`;
}

/** The Job that runs one lifecycle: never restarted in place, bounded, with a deadline. */
export function lifecycleJob(
  spec: LifecycleSpec,
  mode: LifecycleMode,
): k8s.types.input.batch.v1.Job {
  const labels = { ...spec.labels, [BLOCK_ID_LABEL]: spec.blockId, "aios.io/lifecycle": mode };
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
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "init-container",
              image: spec.image,
              env: Object.entries(lifecycleEnv(spec, mode)).map(([name, value]) => ({
                name,
                value,
              })),
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
}

/** How a lifecycle ended. */
export type LifecycleOutcome =
  | {
      readonly ok: true;
      readonly stage: string;
      readonly stages: StageStatus[];
      readonly result: Record<string, unknown>;
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

/**
 * Judges a lifecycle from the AIOS controller's status entry, as the gateway's
 * `queryInitContainerData` returns it (aios-spec §4.6): `{"success": true, "data": [true, {"status":
 * "finish", "status_data": {…}}]}`. A 200 whose body reports failure is a failure.
 */
export function judgeControllerEntry(body: unknown): LifecycleOutcome {
  const b = asRecord(body);
  const fail = (stage: string, reason: string): LifecycleOutcome => ({
    ok: false,
    stage,
    stages: [],
    reason,
  });
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  if (b.success !== true) {
    return fail("unknown", `the status API reported failure: ${text(b.data ?? body)}`);
  }
  const data = b.data;
  if (!Array.isArray(data) || data.length !== 2 || typeof data[0] !== "boolean") {
    return fail(
      "unknown",
      `the status API answered an unexpected body: ${text(body).slice(0, 300)}`,
    );
  }
  if (data[0] === false) {
    return fail("unknown", `the controller has no status for the block: ${text(data[1])}`);
  }
  const entry = asRecord(data[1]);
  const status = typeof entry.status === "string" ? entry.status : "unknown";
  const statusData = entry.status_data;
  const stages: StageStatus[] = [{ stage: status, status, message: text(statusData ?? "") }];
  if (status === "finish") {
    return {
      ok: true,
      stage: "finish",
      stages,
      result: asRecord(statusData),
    };
  }
  if (status === "failed") {
    return { ok: false, stage: "failed", stages, reason: `a stage failed: ${text(statusData)}` };
  }
  return {
    ok: false,
    stage: status,
    stages,
    reason: `the init container stopped at stage '${status}' without finishing`,
  };
}
