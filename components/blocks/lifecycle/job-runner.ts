/**
 * Runs one init-container lifecycle as a Kubernetes Job: creates it (after any leftover of an
 * interrupted run is gone), waits by watching it within its deadline, shows an SDK run's stages as
 * they arrive (the SDK endpoint writes them to the status ConfigMap), reads the pod's report and
 * judges it (sdk-protocol.ts or the termination-message contract), and always removes the Job.
 *
 * Serialized by value into the dynamic provider's process (pulumi-notes §1 in docs/development.md):
 * npm modules are required inside functions, and nothing else is captured but pure functions.
 */
import type * as k8s from "@kubernetes/client-node";
import {
  INIT_CONTAINER_NAME,
  jobName,
  judgeTermination,
  lifecycleJob,
  SDK_ENDPOINT_CONTAINER,
  statusConfigMapName,
  type LifecycleMode,
  type LifecycleOutcome,
  type LifecycleSpec,
  type StageStatus,
} from "./init-container-contract";
import { judgeSdkRun } from "./sdk-protocol";

/**
 * The Kubernetes client, required where the provider runs: a module-level import would be
 * captured by the closure serializer through its interop wrapper, which it cannot serialize.
 */
export function clientNode(): typeof k8s {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@kubernetes/client-node") as typeof k8s;
}

export function loadKubeConfig(kubeconfig: string | undefined): k8s.KubeConfig {
  const kc = new (clientNode().KubeConfig)();
  if (kubeconfig !== undefined && kubeconfig !== "") {
    kc.loadFromString(kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  return kc;
}

export function errorCode(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

/** The call's result, or undefined when the object is absent (404); other errors propagate. */
export async function orAbsent<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (errorCode(e) === 404) {
      return undefined;
    }
    throw e;
  }
}

export function k8sErrorMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string" && body !== "") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      return parsed.message ?? body;
    } catch {
      return body;
    }
  }
  return e instanceof Error ? e.message : String(e);
}

type JobEnd =
  | { readonly kind: "complete" | "failed"; readonly job: k8s.V1Job }
  | { readonly kind: "deleted" }
  | { readonly kind: "deadline" };

function jobEnded(job: k8s.V1Job): "complete" | "failed" | undefined {
  for (const c of job.status?.conditions ?? []) {
    if (c.status === "True" && c.type === "Complete") {
      return "complete";
    }
    if (c.status === "True" && c.type === "Failed") {
      return "failed";
    }
  }
  return undefined;
}

/** Decides from one watch event whether the wait is over. */
type Decide = (type: string, job: k8s.V1Job) => JobEnd | undefined;

/** The main wait: the Job completed, failed or was deleted. */
const jobFinished: Decide = (type, job) => {
  if (type === "DELETED") {
    return { kind: "deleted" };
  }
  const end = jobEnded(job);
  return end === undefined ? undefined : { kind: end, job };
};

/**
 * Watches the Job until `decide` says the wait is over or the deadline passes. Watches end for
 * ordinary reasons (the server's timeout, the client's idle timeout, a dropped connection, a stale
 * resourceVersion); each restart re-reads the Job (a 404 means deleted) and watches from now,
 * whose initial ADDED event carries the current state, so nothing is missed.
 */
async function watchJob(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  deadlineMs: number,
  decide: Decide,
): Promise<JobEnd> {
  const { BatchV1Api, Watch } = clientNode();
  const batch = kc.makeApiClient(BatchV1Api);
  const watch = new Watch(kc);
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  try {
    return await new Promise<JobEnd>((resolve) => {
      // Function declarations (hoisted): the closure serializer cannot follow arrow functions
      // that refer to each other before their definition.
      function finish(end: JobEnd) {
        if (!settled) {
          settled = true;
          resolve(end);
        }
      }
      timer = setTimeout(() => finish({ kind: "deadline" }), Math.max(0, deadlineMs - Date.now()));
      function restart() {
        if (!settled) {
          setTimeout(() => void start(), 500);
        }
      }
      async function start() {
        if (settled) {
          return;
        }
        try {
          await batch.readNamespacedJob({ name, namespace });
        } catch (e) {
          if (errorCode(e) === 404) {
            finish(decide("DELETED", { metadata: { name, namespace } }) ?? { kind: "deleted" });
            return;
          }
          restart();
          return;
        }
        try {
          const c = await watch.watch(
            `/apis/batch/v1/namespaces/${namespace}/jobs`,
            { fieldSelector: `metadata.name=${name}` },
            (type: string, obj: k8s.V1Job) => {
              const end = decide(type, obj);
              if (end !== undefined) {
                finish(end);
              }
            },
            () => restart(),
          );
          if (settled) {
            c.abort();
          } else {
            controller = c;
          }
        } catch {
          restart();
        }
      }
      void start();
    });
  } finally {
    settled = true;
    clearTimeout(timer);
    controller?.abort();
  }
}

/** Deletes the Job (and, through the garbage collector, its pods); absent is fine. */
async function deleteJob(batch: k8s.BatchV1Api, namespace: string, name: string): Promise<void> {
  await orAbsent(batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Background" }));
}

/** Waits (by watch) until a Job of that name is gone, e.g. a leftover of an interrupted run. */
async function ensureNoJob(
  kc: k8s.KubeConfig,
  batch: k8s.BatchV1Api,
  namespace: string,
  name: string,
  deadlineMs: number,
): Promise<void> {
  const existing = await orAbsent(batch.readNamespacedJob({ name, namespace }));
  if (existing === undefined) {
    return;
  }
  await orAbsent(batch.deleteNamespacedJob({ name, namespace, propagationPolicy: "Foreground" }));
  // Only its disappearance ends this wait (a finished leftover still reports Complete first).
  const end = await watchJob(kc, namespace, name, deadlineMs, (type) =>
    type === "DELETED" ? { kind: "deleted" } : undefined,
  );
  if (end.kind !== "deleted") {
    throw new Error(`a previous Job ${namespace}/${name} is still being deleted`);
  }
}

/** What the lifecycle's last pod reported. */
interface PodReport {
  /** The init container's exit code and termination message. */
  readonly exitCode: number;
  readonly message: string;
  /** The SDK endpoint's termination message (its record), when the pod had one. */
  readonly record: string;
  readonly logTail: string;
}

/** The last pod's termination, the SDK endpoint's record and the init container's log tail. */
async function podReport(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<PodReport | undefined> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  const time = (p: k8s.V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  const newest = pods.items.sort((a, b) => time(a) - time(b))[pods.items.length - 1];
  const terminated = newest?.status?.containerStatuses?.find((c) => c.name === INIT_CONTAINER_NAME)
    ?.state?.terminated;
  if (newest === undefined || terminated === undefined) {
    return undefined;
  }
  const sidecar = newest.status?.initContainerStatuses?.find(
    (c) => c.name === SDK_ENDPOINT_CONTAINER,
  );
  const podName = newest.metadata?.name ?? "";
  const logTail = await core
    .readNamespacedPodLog({
      name: podName,
      namespace,
      container: INIT_CONTAINER_NAME,
      tailLines: 20,
    })
    .then(
      (log) => String(log).trim(),
      (e: unknown) => `(log unavailable: ${k8sErrorMessage(e)})`,
    );
  return {
    exitCode: terminated.exitCode,
    message: terminated.message ?? "",
    record: sidecar?.state?.terminated?.message ?? "",
    logTail,
  };
}

/** Called with each stage of an SDK run as it arrives. */
export type OnStage = (stage: StageStatus) => void;

/**
 * Follows the status ConfigMap, which the SDK endpoint updates after each status update, and
 * reports the stages of this run (its RUN_ID) that were not reported yet. Best effort: the
 * verdict never depends on it. Returns the function that stops it.
 */
function followProgress(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  runId: string,
  onStage: OnStage,
): () => void {
  const watch = new (clientNode().Watch)(kc);
  let seen = 0;
  let stopped = false;
  let controller: AbortController | undefined;
  function start() {
    if (stopped) {
      return;
    }
    watch
      .watch(
        `/api/v1/namespaces/${namespace}/configmaps`,
        { fieldSelector: `metadata.name=${name}` },
        (_type: string, cm: k8s.V1ConfigMap) => {
          if (cm.data?.run !== runId) {
            return;
          }
          let stages: StageStatus[] = [];
          try {
            stages = JSON.parse(cm.data.stages ?? "[]") as StageStatus[];
          } catch {
            return;
          }
          for (const s of stages.slice(seen)) {
            onStage(s);
          }
          seen = Math.max(seen, stages.length);
        },
        () => {
          if (!stopped) {
            setTimeout(start, 500);
          }
        },
      )
      .then(
        (c) => {
          if (stopped) {
            c.abort();
          } else {
            controller = c;
          }
        },
        () => {
          if (!stopped) {
            setTimeout(start, 500);
          }
        },
      );
  }
  start();
  return () => {
    stopped = true;
    controller?.abort();
  };
}

/** A lifecycle's outcome with the init container's log tail. */
export type RunResult = LifecycleOutcome & { readonly logTail: string };

/** Runs one lifecycle to its end and always removes its Job. */
export async function runLifecycle(
  kc: k8s.KubeConfig,
  spec: LifecycleSpec,
  mode: LifecycleMode,
  onStage: OnStage = () => undefined,
): Promise<RunResult> {
  const batch = kc.makeApiClient(clientNode().BatchV1Api);
  const core = kc.makeApiClient(clientNode().CoreV1Api);
  const name = jobName(spec.blockId, mode);
  const deadlineMs = Date.now() + spec.deadlineSeconds * 1000;
  const sdk = spec.statusSource === "sdk";
  const runId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await ensureNoJob(kc, batch, spec.namespace, name, deadlineMs);
  const stopProgress = sdk
    ? followProgress(kc, spec.namespace, statusConfigMapName(spec.blockId), runId, onStage)
    : () => undefined;
  await batch.createNamespacedJob({
    namespace: spec.namespace,
    body: lifecycleJob(spec, mode, runId) as k8s.V1Job,
  });
  try {
    const end = await watchJob(kc, spec.namespace, name, deadlineMs, jobFinished);
    const failed = (reason: string, logTail = "") => ({
      ok: false as const,
      stage: "unknown",
      stages: [],
      reason,
      logTail,
    });
    if (end.kind === "deadline") {
      return failed(`its Job did not finish within ${spec.deadlineSeconds} s (deadlineSeconds)`);
    }
    if (end.kind === "deleted") {
      return failed("its Job was deleted while the provider waited for it");
    }
    const report = await podReport(core, spec.namespace, name);
    if (report === undefined) {
      const reason = end.job.status?.conditions?.find((c) => c.status === "True")?.message;
      return failed(
        `its Job ${end.kind === "failed" ? "failed" : "ended"} without a finished pod${reason === undefined ? "" : `: ${reason}`}`,
      );
    }
    const outcome = sdk
      ? judgeSdkRun({ mode, exitCode: report.exitCode, recordText: report.record })
      : judgeTermination(report);
    return { ...outcome, logTail: report.logTail };
  } finally {
    stopProgress();
    await deleteJob(batch, spec.namespace, name);
  }
}
