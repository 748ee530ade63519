/**
 * `pulumi up`, a no-change `pulumi preview` and `pulumi destroy` of the bench stack on the local
 * control plane, against the floor: `kubectl apply --server-side` of the same objects (rendered by
 * the program) plus waiting for every workload's rollout, and `kubectl delete --wait`. Each run
 * starts from an empty cluster; the figures are wall-clock milliseconds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import * as YAML from "yaml";
import { LocalControlPlane } from "../scripts/control-plane/local-control-plane";
import { openE2eStack } from "../test/support/e2e-stack";
import { benchStackConfig } from "./bench-stack";
import { kubectl } from "./kubectl";
import { renderBenchStack, type RenderedObject } from "./render";

/** One run's timings. */
export interface ClusterRun {
  readonly pulumiUpMs: number;
  readonly pulumiPreviewMs: number;
  readonly pulumiDestroyMs: number;
  readonly kubectlApplyMs: number;
  readonly kubectlDeleteMs: number;
  /** Resources in the stack (Pulumi's count, components and provider included). */
  readonly resources: number;
  /** Kubernetes objects kubectl applied. */
  readonly objects: number;
}

/** Kinds applied first, in this order: what the rest lives in or refers to. */
const FIRST = ["Namespace", "Node", "ServiceAccount", "ClusterRole", "Role"];
const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];

function ordered(objects: readonly RenderedObject[]): RenderedObject[] {
  const rank = (o: RenderedObject) => {
    const i = FIRST.indexOf(o.kind);
    return i === -1 ? FIRST.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** Runs the comparison `runs` times on one fresh local control plane. */
export async function clusterBench(
  runs: number,
  log: (line: string) => void,
): Promise<ClusterRun[]> {
  const objects = ordered(renderBenchStack(0).objects);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-bench-"));
  const write = (name: string, list: readonly RenderedObject[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, list.map((o) => YAML.stringify(o)).join("---\n"));
    return file;
  };
  const manifest = write("objects.yaml", objects);
  // Nodes are only labelled (a server-side apply of their labels); deleting them is not the floor
  // of removing labels, and destroy leaves the nodes. Every other object is deleted.
  const deletable = write(
    "deletable.yaml",
    objects.filter((o) => o.kind !== "Node"),
  );
  const plane = await LocalControlPlane.start({
    nodes: [{ name: "node-1" }, { name: "node-2" }, { name: "node-3" }],
  });
  const kc = plane.kubeconfigPath;
  const stack = await openE2eStack("bench", benchStackConfig(0), kc);
  const workloads = objects.filter((o) => WORKLOADS.includes(o.kind));
  const out: ClusterRun[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      let resources = 0;
      const pulumiUpMs = await timed(async () => {
        const up = await stack.stack.up();
        resources = Object.values(up.summary.resourceChanges ?? {}).reduce((a, b) => a + b, 0);
      });
      const pulumiPreviewMs = await timed(async () => {
        const preview = await stack.stack.preview();
        const changed = Object.entries(preview.changeSummary).filter(([op]) => op !== "same");
        if (changed.length > 0) {
          throw new Error(`the no-change preview planned changes: ${JSON.stringify(changed)}`);
        }
      });
      const pulumiDestroyMs = await timed(() => stack.stack.destroy());
      const kubectlApplyMs = await timed(async () => {
        await kubectl(kc, ["apply", "--server-side", "--field-manager=bench", "-f", manifest]);
        await Promise.all(
          workloads.map((w) =>
            kubectl(kc, [
              "rollout",
              "status",
              `-n=${w.metadata.namespace ?? "default"}`,
              `${w.kind.toLowerCase()}/${w.metadata.name}`,
              "--timeout=600s",
            ]),
          ),
        );
      });
      const kubectlDeleteMs = await timed(() =>
        kubectl(kc, ["delete", "--wait=true", "--ignore-not-found", "-f", deletable]),
      );
      const result = {
        pulumiUpMs,
        pulumiPreviewMs,
        pulumiDestroyMs,
        kubectlApplyMs,
        kubectlDeleteMs,
        resources,
        objects: objects.length,
      };
      log(`cluster run ${run}/${runs}: ${JSON.stringify(result)}`);
      out.push(result);
    }
  } finally {
    await stack.dispose();
    plane.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
