/**
 * The stage configuration kwok runs with: kwok's own node and pod stages (node initialisation,
 * heartbeats with leases, pod ready, pod delete) plus our Job-pod stage, which lets a test choose a
 * Job pod's exit code and termination message (stages/job-pod-finish.yaml).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { kwokStagesDir } from "../toolchain/paths";

/** kwok's stage files we use, relative to its kustomize/stage directory. */
export const KWOK_DEFAULT_STAGES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-delete.yaml",
] as const;

/** Our own stages, shipped in this repository. */
export const LOCAL_STAGES = [path.join(__dirname, "stages", "job-pod-finish.yaml")] as const;

/** The multi-document YAML for `kwok --config`. */
export function kwokStageConfig(stagesDir: string = kwokStagesDir()): string {
  const files = [...KWOK_DEFAULT_STAGES.map((f) => path.join(stagesDir, f)), ...LOCAL_STAGES];
  return files.map((f) => fs.readFileSync(f, "utf8").trim()).join("\n---\n") + "\n";
}
