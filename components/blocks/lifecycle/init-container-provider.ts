/**
 * The dynamic provider behind {@link InitContainer}: runs a block's init container as a Kubernetes
 * Job in `create` mode on create and in `delete` mode on delete (job-runner.ts), records the outcome
 * in a status ConfigMap that `read` reports, and — when the block has a blocks DB — makes sure the
 * network's blocks DB has the block before create, writes finish's data to it, and removes a record
 * it created on delete.
 *
 * Rules (docs/development.md, dynamic providers): this module is serialized by value into the
 * provider process, so it captures only npm modules (required there) and pure functions; the
 * kubeconfig comes from stack config through `configure` (or $KUBECONFIG), never from inputs;
 * `outs` hold everything delete and read need; every wait has its own deadline.
 */
import type * as k8s from "@kubernetes/client-node";
import type * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../../config/config-namespace";
import {
  deleteBlockRecord,
  ensureBlockRecord,
  writeInitContainerData,
  type BlocksDbRecord,
} from "./blocks-db";
import {
  statusConfigMapName,
  type LifecycleMode,
  type LifecycleOutcome,
  type LifecycleSpec,
  type StageStatus,
} from "./init-container-contract";
import {
  clientNode,
  errorCode,
  k8sErrorMessage,
  loadKubeConfig,
  orAbsent,
  runLifecycle,
  type OnStage,
} from "./job-runner";

/** Bumped when the provider's behaviour or state shape changes. */
export const PROVIDER_VERSION = "2";

/** The network's blocks DB and the block's document, for a stack registered with a network. */
export interface BlocksDbSpec {
  readonly url: string;
  /** Posted when the blocks DB has no such block (docs/blocks.md, "The block document"). */
  readonly document: Readonly<Record<string, unknown>>;
}

/** Inputs of the dynamic resource. */
export interface InitContainerInputs extends LifecycleSpec {
  readonly providerVersion: string;
  /** Where `finish()` output is written (`blockInitData.initContainer`). @default - nowhere */
  readonly blocksDb?: BlocksDbSpec;
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
  /** Whether this resource created the block in the blocks DB (and so removes it). */
  readonly blocksDbRecord?: BlocksDbRecord;
}

/** Outputs the provider computes (never compared as inputs). */
const OUTPUT_KEYS = ["status", "stage", "stages", "result", "blocksDbRecord", "__provider"];

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
  "statusSource",
] as const;

/** Old state as today's inputs read it: state written before `statusSource` had no such key. */
function normalized(olds: InitContainerOutputs): InitContainerOutputs {
  return { ...olds, statusSource: olds.statusSource ?? "termination-message" };
}

/** Shows each stage of an SDK run as it arrives (a dynamic provider's stdout reaches `pulumi up`). */
function stageLogger(spec: LifecycleSpec, mode: LifecycleMode): OnStage {
  return (s) => {
    const message = s.message === "" ? "" : `: ${s.message.slice(0, 200)}`;
    console.log(
      `block ${spec.blockId}: init container ${mode}: stage '${s.stage}' ${s.status}${s.at === undefined ? "" : ` at ${s.at}`}${message}`,
    );
  };
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
      ...(outcome.ok ? {} : { error: outcome.reason }),
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
function failedState(
  inputs: InitContainerInputs,
  blocksDbRecord: BlocksDbRecord,
  outcome?: LifecycleOutcome,
): InitContainerOutputs {
  return {
    ...inputs,
    status: "failed",
    stage: outcome?.stage ?? "unknown",
    stages: outcome?.stages ?? [],
    result: {},
    blocksDbRecord,
  };
}

/**
 * Runs the create lifecycle and returns the new state. Any failure once the lifecycle may have
 * started throws with the resource's id and state, so the engine records it as partially created:
 * the next `up` runs it again and `destroy` runs the delete lifecycle (and removes a blocks DB
 * record it created).
 */
async function createOrRerun(
  kc: k8s.KubeConfig,
  inputs: InitContainerInputs,
  previous: BlocksDbRecord = "none",
): Promise<InitContainerOutputs> {
  const tracked = (message: string, outs: InitContainerOutputs) =>
    Object.assign(new Error(message), { id: inputs.blockId, properties: outs, reasons: [message] });
  let blocksDbRecord = previous;
  try {
    const db = inputs.blocksDb;
    if (db !== undefined) {
      const found = await ensureBlockRecord(db.url, inputs.blockId, db.document);
      blocksDbRecord = previous === "created" ? "created" : found;
    }
    const outcome = await runLifecycle(kc, inputs, "create", stageLogger(inputs, "create"));
    await writeStatus(kc, inputs, "create", outcome);
    if (!outcome.ok) {
      const message = failure(inputs, "create", outcome);
      throw tracked(message, failedState(inputs, blocksDbRecord, outcome));
    }
    if (db !== undefined) {
      await writeInitContainerData(db.url, inputs.blockId, outcome.statusData ?? outcome.result);
    }
    return {
      ...inputs,
      status: "finish",
      stage: outcome.stage,
      stages: outcome.stages,
      result: outcome.result,
      blocksDbRecord,
    };
  } catch (e) {
    if ((e as { id?: string }).id !== undefined) {
      throw e;
    }
    const message = `block ${inputs.blockId}: init container create failed: ${k8sErrorMessage(e)}`;
    throw tracked(message, failedState(inputs, blocksDbRecord));
  }
}

/** The provider object (one instance, reused by every InitContainer). */
export const initContainerProvider: pulumi.dynamic.ResourceProvider & { kubeconfig?: string } = {
  configure(req: pulumi.dynamic.ConfigureRequest) {
    // Decrypted by the engine; it stays in this process and never reaches state or logs.
    this.kubeconfig = req.config.get(`${CONFIG_NAMESPACE}:kubeconfig`);
    return Promise.resolve();
  },

  diff(_id: string, stored: InitContainerOutputs, news: InitContainerInputs) {
    const olds = normalized(stored);
    // Every input key on either side: a removed setting is a change too.
    const keys = [...new Set([...Object.keys(news), ...Object.keys(olds)])].filter(
      (k) => !OUTPUT_KEYS.includes(k),
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
    const previous = olds.blocksDbRecord ?? "none";
    if (olds.status === "finish") {
      // Only settings that do not affect the system changed (deadline, retries, registry): keep
      // the outcome, take every input from the new side (removed ones disappear).
      const { status, stage, stages, result } = olds;
      return { outs: { ...news, status, stage, stages, result, blocksDbRecord: previous } };
    }
    return { outs: await createOrRerun(loadKubeConfig(this.kubeconfig), news, previous) };
  },

  async delete(_id: string, stored: InitContainerOutputs) {
    const props = normalized(stored);
    const kc = loadKubeConfig(this.kubeconfig);
    if (!props.skipDelete) {
      const outcome = await runLifecycle(kc, props, "delete", stageLogger(props, "delete"));
      if (!outcome.ok) {
        await writeStatus(kc, props, "delete", outcome);
        // The resource stays in state, so a later destroy retries.
        throw new Error(failure(props, "delete", outcome));
      }
    }
    if (props.blocksDb !== undefined && props.blocksDbRecord === "created") {
      await deleteBlockRecord(props.blocksDb.url, props.blockId);
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
    const {
      status: _s,
      stage: _st,
      stages: _sts,
      result: _r,
      blocksDbRecord: _b,
      ...inputs
    } = props;
    if (data === undefined) {
      return { id, props: { ...props, status: "missing" }, inputs };
    }
    return {
      id,
      inputs,
      props: {
        ...props,
        // A run still in progress (or interrupted) left `running`: not finished.
        status: data.status ?? "missing",
        stage: data.stage ?? "unknown",
        stages: JSON.parse(data.stages ?? "[]") as StageStatus[],
        result: JSON.parse(data.result ?? "{}") as Record<string, unknown>,
      },
    };
  },
};
