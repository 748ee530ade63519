/**
 * The AIOS init-container SDK's protocol, as the lifecycle judges it (docs/upstream-aios.md,
 * "Init-container SDK"): the record the SDK endpoint (sdk-endpoint.js) leaves behind, and the
 * verdict on it. The SDK exits 0 whatever happens, so only its status updates tell how a run went:
 * success is `finish` reached, in order, in the run's mode. Pure functions: the dynamic provider
 * serializes them by value.
 */
import type { LifecycleMode, LifecycleOutcome, StageStatus } from "./init-container-contract";

/** The SDK's stage names, in the order it reports them. */
export const SDK_STAGES = ["begin", "main", "finish"] as const;

/** The action the SDK posts: `init_create_status_update` only when OPERATING_MODE is `create`. */
export function sdkAction(mode: LifecycleMode): string {
  return mode === "create" ? "init_create_status_update" : "init_remove_status_update";
}

/** One document read the SDK made at startup. */
export interface SdkRead {
  readonly at: string;
  readonly path: string;
  readonly status: number;
  /** `blocks-db` / `cluster-registry` (proxied), `stack` (supplied), or `none` (404). */
  readonly source: string;
  readonly note?: string;
}

/** One status update, as the endpoint recorded it. */
export interface SdkUpdate {
  readonly at: string;
  readonly action: string;
  readonly status: string;
  readonly stage?: string;
  readonly mode?: string;
  readonly status_data?: unknown;
  readonly message?: unknown;
  /** Set when finish's data was too large for the termination message (its size in bytes). */
  readonly oversized?: number;
}

/** A post the endpoint refused with a 400. */
export interface SdkRejection {
  readonly at: string;
  readonly field: string;
  readonly error: string;
}

/** What the endpoint records for one run. */
export interface SdkRecord {
  readonly v: number;
  readonly run: string;
  readonly block: string;
  readonly mode: string;
  readonly reads: readonly SdkRead[];
  readonly updates: readonly SdkUpdate[];
  readonly rejected: readonly SdkRejection[];
  readonly truncated?: boolean;
}

/** The record from the sidecar's termination message; undefined when it is not one. */
export function parseSdkRecord(text: string): SdkRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = parsed as Partial<SdkRecord> | null;
  if (
    r === null ||
    typeof r !== "object" ||
    !Array.isArray(r.updates) ||
    !Array.isArray(r.reads) ||
    !Array.isArray(r.rejected)
  ) {
    return undefined;
  }
  return r as SdkRecord;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

/** Each update as a stage row of the status ConfigMap (a failure is its own row). */
export function sdkStages(record: SdkRecord): StageStatus[] {
  return record.updates.map((u) => ({
    stage: u.status === "success" ? (u.stage ?? "unknown") : "failed",
    status: u.status,
    message: text(u.status_data).slice(0, 500),
    at: u.at,
  }));
}

/** What the run ended with. */
export interface SdkRun {
  readonly mode: LifecycleMode;
  /** The init container's exit code. */
  readonly exitCode: number;
  /** The sidecar's termination message. */
  readonly recordText: string;
}

/**
 * The verdict on one SDK run. Fails, naming the stage reached: no record, a refused (malformed)
 * post, an update with the other mode's action, a `failed` update, a non-zero exit, no update at
 * all, a stage missing or out of order, or finish data too large to carry.
 */
export function judgeSdkRun(run: SdkRun): LifecycleOutcome {
  const record = parseSdkRecord(run.recordText);
  if (record === undefined) {
    return {
      ok: false,
      stage: "unknown",
      stages: [],
      reason: `the SDK endpoint left no record (its termination message is ${run.recordText === "" ? "empty" : `not a record: ${run.recordText.slice(0, 200)}`}); the exit code was ${run.exitCode}`,
    };
  }
  const stages = sdkStages(record);
  const succeeded = record.updates.filter((u) => u.status === "success").map((u) => u.stage ?? "");
  const reached = succeeded.at(-1) ?? "none";
  const inProgress = SDK_STAGES[Math.min(succeeded.length, SDK_STAGES.length - 1)];
  const fail = (stage: string, reason: string): LifecycleOutcome => ({
    ok: false,
    stage,
    stages,
    reason,
  });
  const rejected = record.rejected[0];
  if (rejected !== undefined) {
    return fail(
      inProgress,
      `the SDK endpoint refused a malformed status update: field '${rejected.field}': ${rejected.error}`,
    );
  }
  const expected = sdkAction(run.mode);
  const wrong = record.updates.find((u) => u.action !== expected);
  if (wrong !== undefined) {
    return fail(
      wrong.stage ?? inProgress,
      `an update came with action '${wrong.action}' in a ${run.mode} run (OPERATING_MODE=${run.mode} posts '${expected}'): the image does not run the SDK's ${run.mode} path`,
    );
  }
  const failed = record.updates.find((u) => u.status !== "success");
  if (failed !== undefined) {
    return fail(inProgress, `the SDK reported failure: ${text(failed.status_data)}`);
  }
  if (run.exitCode !== 0) {
    return fail(inProgress, `the init container exited with code ${run.exitCode}`);
  }
  if (record.updates.length === 0) {
    const missing = record.reads.find((r) => r.status !== 200);
    return fail(
      "begin",
      missing !== undefined
        ? `the SDK gave up before begin: GET ${missing.path} answered ${missing.status}${missing.note === undefined ? "" : ` (${missing.note})`}`
        : record.reads.length === 0
          ? "the init container made no SDK call (no document read, no status update): is it built on the AIOS init-container SDK? Images that report through their termination message need statusSource 'termination-message'"
          : "the init container read its documents but sent no status update before it exited",
    );
  }
  const wrongMode = record.updates.find((u) => u.mode !== run.mode);
  if (wrongMode !== undefined) {
    return fail(
      wrongMode.stage ?? inProgress,
      `stage '${wrongMode.stage ?? "?"}' reported mode '${wrongMode.mode ?? ""}', expected '${run.mode}'`,
    );
  }
  const inOrder = succeeded.every((s, i) => s === SDK_STAGES[i]);
  if (!inOrder || succeeded.length > SDK_STAGES.length) {
    return fail(reached, `stages arrived out of order: ${succeeded.join(", ")}`);
  }
  if (reached !== "finish") {
    return fail(
      reached,
      `stage '${inProgress}' was never reported (the last was '${reached}') and the container exited`,
    );
  }
  const finish: SdkUpdate | undefined = record.updates[record.updates.length - 1];
  if (finish?.oversized !== undefined) {
    return fail(
      "finish",
      `finish's status_data is ${finish.oversized} bytes, more than a termination message carries (4096 with the record); return URLs, not payloads`,
    );
  }
  return {
    ok: true,
    stage: "finish",
    stages,
    result: sdkResult(finish?.status_data),
    statusData: finish?.status_data,
  };
}

/** finish's status_data as the block's `result`: an object as it is, anything else under `status_data`. */
export function sdkResult(statusData: unknown): Record<string, unknown> {
  return typeof statusData === "object" && statusData !== null && !Array.isArray(statusData)
    ? (statusData as Record<string, unknown>)
    : statusData === undefined
      ? {}
      : { status_data: statusData };
}
