/**
 * The dynamic provider behind {@link InitContainer}: runs a block's init container as a Kubernetes
 * Job in `create` mode on create and in `delete` mode on delete, waits by watching the Job within
 * its deadline, judges the result (init-container-contract.ts), records it in a status ConfigMap
 * that `read` reports, and cleans the Job up.
 *
 * Rules (DESIGN.md, pulumi-notes §1): this module is serialized by value into the provider
 * process, so it captures only npm modules (required there) and pure functions; the kubeconfig
 * comes from stack config through `configure` (or $KUBECONFIG), never from inputs; `outs` hold
 * everything delete and read need; every wait has its own deadline.
 */
import type * as k8s from "@kubernetes/client-node";
import type * as pulumi from "@pulumi/pulumi";
import { queryInitContainerData } from "../aios-api/client";
import { CONFIG_NAMESPACE } from "../config-namespace";
import {
  jobName,
  judgeControllerEntry,
  judgeTermination,
  lifecycleJob,
  type LifecycleMode,
  type LifecycleOutcome,
  type LifecycleSpec,
  type StageStatus,
} from "./init-container-contract";

/** Bumped when the provider's behaviour or state shape changes. */
export const PROVIDER_VERSION = "1";

/**
 * The Kubernetes client, required where the provider runs: a module-level import would be
 * captured by the closure serializer through its interop wrapper, which it cannot serialize.
 */
function clientNode(): typeof k8s {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@kubernetes/client-node") as typeof k8s;
}

/** Inputs of the dynamic resource. */
export interface InitContainerInputs extends LifecycleSpec {
  readonly providerVersion: string;
  /** Where `finish()` output is written (`blockInitData.initContainer`). @default - nowhere */
  readonly blocksRegistryUrl?: string;
  /** Remove the resource without running the delete lifecycle. */
  readonly skipDelete: boolean;
}

/** State of the dynamic resource: its inputs and the last lifecycle's outcome. */
export interface InitContainerOutputs extends InitContainerInputs {
  /** `finish`, or `failed`; `missing` when refresh finds no status record. */
  readonly status: string;
  /** The last stage reached. */
  readonly stage: string;
  readonly stages: StageStatus[];
  /** `finish()` output of the create lifecycle. */
  readonly result: Record<string, unknown>;
}

/** Inputs whose change re-runs the lifecycle (delete mode on the old, then create on the new). */
export const REPLACING_INPUTS = [
  "blockId",
  "clusterId",
  "namespace",
  "image",
  "serviceAccountName",
  "controllerUrl",
  "blockServiceUrl",
  "clusterServiceUrl",
  "allocationData",
  "env",
  "podAnnotations",
] as const;

/** The status record's name. */
export function statusConfigMapName(blockId: string): string {
  return `${blockId}-init-status`;
}

function loadKubeConfig(kubeconfig: string | undefined): k8s.KubeConfig {
  const kc = new (clientNode().KubeConfig)();
  if (kubeconfig !== undefined && kubeconfig !== "") {
    kc.loadFromString(kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  return kc;
}

function errorCode(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

/** The call's result, or undefined when the object is absent (404); other errors propagate. */
async function orAbsent<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (errorCode(e) === 404) {
      return undefined;
    }
    throw e;
  }
}

function k8sErrorMessage(e: unknown): string {
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

/** The last pod's termination and log tail. */
async function podReport(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<{ exitCode: number; message: string; logTail: string } | undefined> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  const time = (p: k8s.V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  const newest = pods.items.sort((a, b) => time(a) - time(b))[pods.items.length - 1];
  const terminated = newest?.status?.containerStatuses?.[0]?.state?.terminated;
  if (newest === undefined || terminated === undefined) {
    return undefined;
  }
  const podName = newest.metadata?.name ?? "";
  const logTail = await core.readNamespacedPodLog({ name: podName, namespace, tailLines: 20 }).then(
    (log) => String(log).trim(),
    (e: unknown) => `(log unavailable: ${k8sErrorMessage(e)})`,
  );
  return { exitCode: terminated.exitCode, message: terminated.message ?? "", logTail };
}

/** Reads the block's stage status from the AIOS init-container status API, through the gateway. */
async function queryController(
  gateway: string,
  clusterId: string,
  blockId: string,
): Promise<LifecycleOutcome> {
  try {
    const body = await queryInitContainerData(
      { gateway, clusterRegistry: "" },
      clusterId,
      blockId,
      { deadlineMs: 15_000 },
    );
    return judgeControllerEntry(body);
  } catch (e) {
    return { ok: false, stage: "unknown", stages: [], reason: k8sErrorMessage(e) };
  }
}

/** Runs one lifecycle to its end and always removes its Job. */
export async function runLifecycle(
  kc: k8s.KubeConfig,
  spec: LifecycleSpec,
  mode: LifecycleMode,
): Promise<LifecycleOutcome & { logTail: string }> {
  const batch = kc.makeApiClient(clientNode().BatchV1Api);
  const core = kc.makeApiClient(clientNode().CoreV1Api);
  const name = jobName(spec.blockId, mode);
  const deadlineMs = Date.now() + spec.deadlineSeconds * 1000;
  await ensureNoJob(kc, batch, spec.namespace, name, deadlineMs);
  await batch.createNamespacedJob({
    namespace: spec.namespace,
    body: lifecycleJob(spec, mode) as k8s.V1Job,
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
    if (spec.statusGateway !== undefined && report.exitCode === 0) {
      const outcome = await queryController(spec.statusGateway, spec.clusterId, spec.blockId);
      return { ...outcome, logTail: report.logTail };
    }
    return { ...judgeTermination(report), logTail: report.logTail };
  } finally {
    await deleteJob(batch, spec.namespace, name);
  }
}

/** Writes the status record `read` reports. */
async function writeStatus(
  kc: k8s.KubeConfig,
  spec: LifecycleSpec,
  mode: LifecycleMode,
  outcome: LifecycleOutcome,
): Promise<void> {
  const core = kc.makeApiClient(clientNode().CoreV1Api);
  const name = statusConfigMapName(spec.blockId);
  const body: k8s.V1ConfigMap = {
    metadata: { name, namespace: spec.namespace, labels: { ...spec.labels } },
    data: {
      mode,
      status: outcome.ok ? "finish" : "failed",
      stage: outcome.stage,
      stages: JSON.stringify(outcome.stages),
      result: JSON.stringify(outcome.ok ? outcome.result : {}),
    },
  };
  await core
    .replaceNamespacedConfigMap({ name, namespace: spec.namespace, body })
    .catch((e: unknown) => {
      if (errorCode(e) !== 404) {
        throw e;
      }
      return core.createNamespacedConfigMap({ namespace: spec.namespace, body });
    });
}

async function deleteStatus(kc: k8s.KubeConfig, spec: LifecycleSpec): Promise<void> {
  const core = kc.makeApiClient(clientNode().CoreV1Api);
  await orAbsent(
    core.deleteNamespacedConfigMap({
      name: statusConfigMapName(spec.blockId),
      namespace: spec.namespace,
    }),
  );
}

/** Writes `finish()` output to the block's `blockInitData.initContainer` in the blocks registry. */
async function writeRegistry(url: string, blockId: string, result: unknown): Promise<void> {
  const target = `${url.replace(/\/$/, "")}/blocks/${encodeURIComponent(blockId)}`;
  const response = await fetch(target, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ $set: { "blockInitData.initContainer": result } }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) {
    throw new Error(
      `PUT ${target} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
}

function failure(
  spec: LifecycleSpec,
  mode: LifecycleMode,
  outcome: { stage: string; reason: string; logTail: string },
): string {
  const tail =
    outcome.logTail === ""
      ? ""
      : `\n  log tail:\n    ${outcome.logTail.split("\n").join("\n    ")}`;
  return `block ${spec.blockId}: init container ${mode} failed at stage '${outcome.stage}': ${outcome.reason}${tail}`;
}

/** The state of a failed lifecycle, tracked so a re-run converges and destroy cleans up. */
function failedState(inputs: InitContainerInputs, stage = "unknown"): InitContainerOutputs {
  return { ...inputs, status: "failed", stage, stages: [], result: {} };
}

/**
 * Runs the create lifecycle and returns the new state. Any failure once the lifecycle may have
 * started throws with the resource's id and state, so the engine records it as partially created:
 * the next `up` runs it again and `destroy` runs the delete lifecycle.
 */
async function createOrRerun(
  kc: k8s.KubeConfig,
  inputs: InitContainerInputs,
): Promise<InitContainerOutputs> {
  const tracked = (message: string, outs: InitContainerOutputs) =>
    Object.assign(new Error(message), { id: inputs.blockId, properties: outs, reasons: [message] });
  let outs: InitContainerOutputs;
  try {
    const outcome = await runLifecycle(kc, inputs, "create");
    await writeStatus(kc, inputs, "create", outcome);
    if (!outcome.ok) {
      throw tracked(failure(inputs, "create", outcome), failedState(inputs, outcome.stage));
    }
    outs = {
      ...inputs,
      status: "finish",
      stage: outcome.stage,
      stages: outcome.stages,
      result: outcome.result,
    };
    if (inputs.blocksRegistryUrl !== undefined) {
      await writeRegistry(inputs.blocksRegistryUrl, inputs.blockId, outcome.result);
    }
  } catch (e) {
    if ((e as { id?: string }).id !== undefined) {
      throw e;
    }
    const message = `block ${inputs.blockId}: init container create failed: ${k8sErrorMessage(e)}`;
    throw tracked(message, failedState(inputs));
  }
  return outs;
}

/** The provider object (one instance, reused by every InitContainer). */
export const initContainerProvider: pulumi.dynamic.ResourceProvider & { kubeconfig?: string } = {
  configure(req: pulumi.dynamic.ConfigureRequest) {
    // Decrypted by the engine; it stays in this process and never reaches state or logs.
    this.kubeconfig = req.config.get(`${CONFIG_NAMESPACE}:kubeconfig`);
    return Promise.resolve();
  },

  diff(_id: string, olds: InitContainerOutputs, news: InitContainerInputs) {
    // Every input key on either side: a removed setting is a change too.
    const outputKeys = ["status", "stage", "stages", "result", "__provider"];
    const keys = [...new Set([...Object.keys(news), ...Object.keys(olds)])].filter(
      (k) => !outputKeys.includes(k),
    ) as (keyof InitContainerInputs)[];
    const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const replaces = changed.filter((k) => (REPLACING_INPUTS as readonly string[]).includes(k));
    return Promise.resolve({
      changes: changed.length > 0 || olds.status !== "finish",
      replaces,
      deleteBeforeReplace: true,
    });
  },

  async create(inputs: InitContainerInputs) {
    const outs = await createOrRerun(loadKubeConfig(this.kubeconfig), inputs);
    return { id: inputs.blockId, outs };
  },

  async update(_id: string, olds: InitContainerOutputs, news: InitContainerInputs) {
    if (olds.status === "finish") {
      // Only settings that do not affect the system changed (deadline, retries, registry): keep
      // the outcome, take every input from the new side (removed ones disappear).
      const { status, stage, stages, result } = olds;
      return { outs: { ...news, status, stage, stages, result } };
    }
    return { outs: await createOrRerun(loadKubeConfig(this.kubeconfig), news) };
  },

  async delete(_id: string, props: InitContainerOutputs) {
    const kc = loadKubeConfig(this.kubeconfig);
    if (props.skipDelete) {
      await deleteStatus(kc, props);
      return;
    }
    const outcome = await runLifecycle(kc, props, "delete");
    if (!outcome.ok) {
      await writeStatus(kc, props, "delete", outcome);
      // The resource stays in state, so a later destroy retries.
      throw new Error(failure(props, "delete", outcome));
    }
    await deleteStatus(kc, props);
  },

  async read(id: string, props: InitContainerOutputs) {
    const core = loadKubeConfig(this.kubeconfig).makeApiClient(clientNode().CoreV1Api);
    const record = await orAbsent(
      core.readNamespacedConfigMap({
        name: statusConfigMapName(props.blockId),
        namespace: props.namespace,
      }),
    );
    const data = record?.data;
    const { status: _s, stage: _st, stages: _sts, result: _r, ...inputs } = props;
    if (data === undefined) {
      return { id, props: { ...props, status: "missing" }, inputs };
    }
    return {
      id,
      inputs,
      props: {
        ...props,
        status: data.status ?? "missing",
        stage: data.stage ?? "unknown",
        stages: JSON.parse(data.stages ?? "[]") as StageStatus[],
        result: JSON.parse(data.result ?? "{}") as Record<string, unknown>,
      },
    };
  },
};
