/**
 * The stage configuration kwok runs with: kwok's own node and pod stages (node initialisation,
 * heartbeats with leases, pod ready, pod delete) plus our Job-pod stage, which lets a test choose a
 * Job pod's exit code and termination message (stages/job-pod-finish.yaml).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { kwokStagesDir } from "../toolchain/paths";

/** kwok's stage files we use, relative to its kustomize/stage directory. */
export const KWOK_DEFAULT_STAGES = [
  "node/fast/node-initialize.yaml",
  "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
  "pod/fast/pod-ready.yaml",
  "pod/fast/pod-delete.yaml",
] as const;

/** Our own stages, shipped in this repository. */
export const LOCAL_STAGES = [
  path.join(__dirname, "stages", "job-pod-finish.yaml"),
  path.join(__dirname, "stages", "sdk-job-pod-finish.yaml"),
] as const;

interface StageDoc {
  metadata: { name: string };
  spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] } };
}

/**
 * The variant of the Job-pod stage for pods annotated `e2e.aios.io/hang-create`: their create
 * lifecycle never finishes, their delete lifecycle finishes like any other Job pod.
 */
export function hangCreateDeleteVariant(jobPodFinishYaml: string): string {
  const doc = YAML.parse(jobPodFinishYaml) as StageDoc;
  doc.metadata.name = `${doc.metadata.name}-delete-of-hang-create`;
  doc.spec.selector.matchExpressions = [
    ...doc.spec.selector.matchExpressions.filter((e) => !e.key.includes("hang-create")),
    { key: '.metadata.annotations["e2e.aios.io/hang-create"]', operator: "Exists" },
    { key: '.metadata.labels["aios.io/lifecycle"]', operator: "In", values: ["delete"] },
  ];
  return YAML.stringify(doc, { blockQuote: "literal" }).trim();
}

/** The multi-document YAML for `kwok --config`. */
export function kwokStageConfig(stagesDir: string = kwokStagesDir()): string {
  const files = [...KWOK_DEFAULT_STAGES.map((f) => path.join(stagesDir, f)), ...LOCAL_STAGES];
  const docs = files.map((f) => fs.readFileSync(f, "utf8").trim());
  docs.push(hangCreateDeleteVariant(fs.readFileSync(LOCAL_STAGES[0], "utf8")));
  return docs.join("\n---\n") + "\n";
}
