/**
 * Where a Helm chart comes from, pinned: a repository (http(s) or OCI) at an exact version, or a
 * local chart directory or archive (offline clusters, tests). Shared by the gateway and blocks.
 */
import * as path from "node:path";
import { z } from "zod";

/** An exact chart version: SemVer without ranges or wildcards. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const repositoryChart = z.strictObject({
  /** Helm repository URL (`https://…` or `oci://…`). */
  repository: z.url({ protocol: /^(https?|oci)$/, error: "must be an http(s) or oci URL" }),
  /** Chart name in the repository. */
  name: z.string().min(1),
  /** Exact chart version. */
  version: z.string().regex(EXACT_VERSION, {
    error: "must be an exact chart version such as 6.9.5 (no ranges, no 'latest')",
  }),
});

const localChart = z.strictObject({
  /** Path of a chart directory or .tgz, relative to the project directory. */
  path: z.string().min(1),
});

/** A pinned chart source. */
export const chartSourceSchema = z.union([repositoryChart, localChart]);
export type ChartSource = z.infer<typeof chartSourceSchema>;

/** How the Kubernetes provider's Helm support finds a chart. */
export interface ChartReference {
  /** Chart name (with a repository), `oci://…` reference, or absolute local path. */
  readonly chart: string;
  /** Exact version (repository charts). */
  readonly version?: string;
  /** Repository URL (http(s) repositories). */
  readonly repository?: string;
}

/** Resolves a chart source; local paths are relative to `projectDir`. */
export function chartReference(source: ChartSource, projectDir: string): ChartReference {
  if ("path" in source) {
    return { chart: path.resolve(projectDir, source.path) };
  }
  if (source.repository.startsWith("oci://")) {
    return {
      chart: `${source.repository.replace(/\/$/, "")}/${source.name}`,
      version: source.version,
    };
  }
  return { chart: source.name, version: source.version, repository: source.repository };
}

/** The `chart`, `version` and `repositoryOpts` arguments of a Helm Release or Chart for `ref`. */
export function helmChartArgs(ref: ChartReference): {
  chart: string;
  version?: string;
  repositoryOpts?: { repo: string };
} {
  return {
    chart: ref.chart,
    ...(ref.version === undefined ? {} : { version: ref.version }),
    ...(ref.repository === undefined ? {} : { repositoryOpts: { repo: ref.repository } }),
  };
}
