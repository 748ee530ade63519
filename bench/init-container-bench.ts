/**
 * The init-container lifecycle's own overhead on the local control plane: the time from the
 * lifecycle Job's completion (seen by a watch in this process) to the resource's completion (the
 * dynamic provider's `create` or `delete` returning: result judged, status recorded, Job removed).
 * The provider is called directly, in this process, with the inputs the program gives it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as k8s from "@kubernetes/client-node";
import * as YAML from "yaml";
import { jobName } from "../components/blocks";
import {
  initContainerProvider,
  type InitContainerInputs,
  type InitContainerOutputs,
} from "../components/blocks";
import { LocalControlPlane } from "../scripts/control-plane/local-control-plane";
import { kubectl } from "./kubectl";
import { renderBenchStack } from "./render";

/** One run's overheads, in milliseconds. */
export interface InitContainerRun {
  readonly createOverheadMs: number;
  readonly deleteOverheadMs: number;
  /** The whole create lifecycle, Job scheduling and run included. */
  readonly createTotalMs: number;
}

/** Local time at which each Job of `namespace` was first seen complete. */
function watchCompletions(kc: k8s.KubeConfig, namespace: string) {
  const completed = new Map<string, number>();
  let request: { abort(): void } | undefined;
  const started = new k8s.Watch(kc)
    .watch(
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      {},
      (_type, job: k8s.V1Job) => {
        const name = job.metadata?.name ?? "";
        const done = job.status?.conditions?.some(
          (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
        );
        if (done === true && !completed.has(name)) {
          completed.set(name, performance.now());
        }
      },
      () => undefined,
    )
    .then((r) => {
      request = r;
    });
  return {
    completed,
    ready: started,
    stop: () => request?.abort(),
  };
}

/** Runs the create and delete lifecycles of one block `runs` times. */
export async function initContainerBench(
  runs: number,
  log: (line: string) => void,
): Promise<InitContainerRun[]> {
  const rendering = renderBenchStack(1);
  const inputs = rendering.initContainers[0] as unknown as InitContainerInputs;
  const plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-bench-init-"));
  const manifest = path.join(dir, "objects.yaml");
  const blockObjects = rendering.objects.filter(
    (o) => o.metadata.namespace === inputs.namespace || o.metadata.name === inputs.namespace,
  );
  fs.writeFileSync(manifest, blockObjects.map((o) => YAML.stringify(o)).join("---\n"));
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = plane.kubeconfigPath;
  const watch = watchCompletions(plane.kubeConfig(), inputs.namespace);
  const out: InitContainerRun[] = [];
  try {
    await kubectl(plane.kubeconfigPath, ["apply", "--server-side", "-f", manifest]);
    await watch.ready;
    for (let run = 1; run <= runs; run++) {
      watch.completed.clear();
      const start = performance.now();
      const created = await initContainerProvider.create(inputs);
      const createdAt = performance.now();
      await initContainerProvider.delete!(created.id, created.outs as InitContainerOutputs);
      const deletedAt = performance.now();
      const seen = (mode: "create" | "delete") => {
        const at = watch.completed.get(jobName(inputs.blockId, mode));
        if (at === undefined) {
          throw new Error(`the ${mode} Job's completion was not seen`);
        }
        return at;
      };
      const result = {
        createOverheadMs: createdAt - seen("create"),
        deleteOverheadMs: deletedAt - seen("delete"),
        createTotalMs: createdAt - start,
      };
      log(`init-container run ${run}/${runs}: ${JSON.stringify(result)}`);
      out.push(result);
    }
  } finally {
    watch.stop();
    process.env.KUBECONFIG = previous;
    plane.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
