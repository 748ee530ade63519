/** The benchmark's figures: medians with ranges, ratios against goals, as a table and as JSON. */
import * as os from "node:os";
import type { ClusterRun } from "./cluster-bench";
import type { InitContainerRun } from "./init-container-bench";
import type { ProgramRun } from "./program-eval";
import { formatSummary, summarize, type Summary } from "./stats";

/** One line of the report. */
export interface Figure {
  readonly name: string;
  readonly summary: Summary;
  readonly unit: string;
  /** The goal, when there is one, and whether the median meets it. */
  readonly goal?: string;
  readonly met?: boolean;
}

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  readonly startedAt: string;
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  readonly figures: Figure[];
  readonly raw: { program: ProgramRun[]; cluster: ClusterRun[]; initContainer: InitContainerRun[] };
}

function figure(
  name: string,
  samples: readonly number[],
  unit: string,
  goal?: { text: string; ok: (median: number) => boolean },
): Figure {
  const summary = summarize(samples);
  return {
    name,
    summary,
    unit,
    ...(goal === undefined ? {} : { goal: goal.text, met: goal.ok(summary.median) }),
  };
}

/** The program figures: per size, and the growth per tenfold step. */
export function programFigures(runs: readonly ProgramRun[]): Figure[] {
  const sizes = [...new Set(runs.map((r) => r.blocks))].sort((a, b) => a - b);
  const of = (blocks: number) => runs.filter((r) => r.blocks === blocks);
  const figures: Figure[] = [];
  for (const blocks of sizes) {
    const rs = of(blocks);
    figures.push(
      figure(
        `program, ${blocks} blocks: wall time`,
        rs.map((r) => r.wallMs / 1000),
        "s",
        blocks === 1000 ? { text: "< 15 s", ok: (m) => m < 15 } : undefined,
      ),
      figure(
        `program, ${blocks} blocks: resources/s`,
        rs.map((r) => r.registrations / (r.wallMs / 1000)),
        "/s",
      ),
      figure(
        `program, ${blocks} blocks: peak RSS`,
        rs.map((r) => r.peakRssMB),
        "MB",
      ),
    );
  }
  for (const [small, large] of sizes.slice(1).map((s, i) => [sizes[i], s])) {
    if (large !== small * 10) {
      continue;
    }
    // Each run's ratio, pairing the i-th measurement of both sizes.
    const ratios = of(large).map((r, i) => r.wallMs / (of(small)[i]?.wallMs ?? Number.NaN));
    figures.push(
      figure(`program growth ${small} → ${large} blocks`, ratios, "×", {
        text: "≤ 11× (linear)",
        ok: (m) => m <= 11,
      }),
    );
  }
  return figures;
}

/** The cluster figures: the four operations and their ratios to the kubectl floor. */
export function clusterFigures(runs: readonly ClusterRun[]): Figure[] {
  const s = (f: (r: ClusterRun) => number) => runs.map(f);
  return [
    figure(
      "pulumi up",
      s((r) => r.pulumiUpMs / 1000),
      "s",
    ),
    figure(
      "kubectl apply --server-side + rollout wait",
      s((r) => r.kubectlApplyMs / 1000),
      "s",
    ),
    figure(
      "up / kubectl ratio",
      s((r) => r.pulumiUpMs / r.kubectlApplyMs),
      "×",
      {
        text: "≤ 1.3×",
        ok: (m) => m <= 1.3,
      },
    ),
    figure(
      "pulumi preview (no changes)",
      s((r) => r.pulumiPreviewMs / 1000),
      "s",
    ),
    figure(
      "preview / up ratio",
      s((r) => r.pulumiPreviewMs / r.pulumiUpMs),
      "×",
      {
        text: "≤ 0.3×",
        ok: (m) => m <= 0.3,
      },
    ),
    figure(
      "pulumi destroy",
      s((r) => r.pulumiDestroyMs / 1000),
      "s",
    ),
    figure(
      "kubectl delete --wait",
      s((r) => r.kubectlDeleteMs / 1000),
      "s",
    ),
    figure(
      "destroy / kubectl delete ratio",
      s((r) => r.pulumiDestroyMs / r.kubectlDeleteMs),
      "×",
    ),
  ];
}

/** The init-container figures. */
export function initContainerFigures(runs: readonly InitContainerRun[]): Figure[] {
  return [
    figure(
      "init container: Job complete → resource created",
      runs.map((r) => r.createOverheadMs / 1000),
      "s",
      { text: "< 1 s", ok: (m) => m < 1 },
    ),
    figure(
      "init container: delete Job complete → resource deleted",
      runs.map((r) => r.deleteOverheadMs / 1000),
      "s",
      { text: "< 1 s", ok: (m) => m < 1 },
    ),
    figure(
      "init container: whole create lifecycle",
      runs.map((r) => r.createTotalMs / 1000),
      "s",
    ),
  ];
}

/** This machine, for the record. */
export function machine(): BenchReport["machine"] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** The report as a plain-text table. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.name,
    formatSummary(f.summary, f.unit === "MB" || f.unit === "/s" ? 0 : 2, ` ${f.unit}`),
    String(f.summary.runs),
    f.goal === undefined ? "" : `${f.goal}: ${f.met === true ? "met" : "NOT met"}`,
  ]);
  const header = ["figure", "median (min–max)", "runs", "goal"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
