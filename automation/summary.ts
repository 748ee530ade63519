/**
 * The JSON summary a pipeline reads: per stack the operation, result, resource changes, duration,
 * outputs (secret values masked: a summary is a build artifact), drift found and errors.
 */
import type { StackResult } from "./exit-codes";

/** One drifted resource: changed (with the properties that differ) or deleted out of band. */
export interface DriftItem {
  readonly urn: string;
  readonly type: string;
  /** Pulumi resource name. */
  readonly name: string;
  /** Provider id (for Kubernetes objects `namespace/name`). */
  readonly id?: string;
  readonly change: "changed" | "deleted";
  /** Property paths that differ, when the engine reported them. */
  readonly properties: readonly string[];
}

/** A policy pack's finding on a preview or update. */
export interface PolicyFinding {
  readonly policy: string;
  /** The enforcement level it ran at: `advisory`, `mandatory` or `remediate`. */
  readonly level: string;
  /** The resource's URN, when the finding is about one. */
  readonly resource?: string;
  readonly message: string;
}

/** What one reconcile pass corrected on one stack. */
export interface Correction {
  readonly iteration: number;
  readonly stack: string;
  readonly at: string;
  readonly corrected: readonly DriftItem[];
}

/** One stack's outcome. */
export interface StackOutcome {
  readonly stack: string;
  readonly operation: string;
  readonly result: StackResult;
  /** Resource changes by kind (`create`, `update`, `delete`, `same`, …). */
  readonly changes: Readonly<Record<string, number>>;
  readonly durationMs: number;
  /** Outputs with secret values masked (absent when not read). */
  readonly outputs?: Readonly<Record<string, unknown>>;
  readonly drift?: readonly DriftItem[];
  /** Findings of the policy packs (`--policy-pack`). */
  readonly policy?: readonly PolicyFinding[];
  /** Corrections made by `reconcile` (drift found, then `up`). */
  readonly corrected?: readonly DriftItem[];
  /** Why it failed, was skipped or cancelled. */
  readonly error?: string;
}

/** The whole run. */
export interface RunSummary {
  readonly command: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly exitCode: number;
  /** The pass of a reconcile loop. */
  readonly iteration?: number;
  /** Every correction of a reconcile loop so far, by pass and stack. */
  readonly corrections?: readonly Correction[];
  readonly stacks: readonly StackOutcome[];
}

/** Resource changes without the zero counts. */
export function nonZeroChanges(
  changes: Readonly<Record<string, number | undefined>> | undefined,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(changes ?? {}).filter((e): e is [string, number] => (e[1] ?? 0) > 0),
  );
}

/** One line per stack for the terminal. */
export function summaryLines(summary: RunSummary): string[] {
  return summary.stacks.map((s) => {
    const changes = Object.entries(s.changes)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ");
    const drift = s.drift?.length ? `; drift: ${s.drift.map(describeDrift).join(", ")}` : "";
    const fixed = s.corrected?.length
      ? `; corrected: ${s.corrected.map(describeDrift).join(", ")}`
      : "";
    const error = s.error === undefined ? "" : `; ${s.error}`;
    return `${s.stack}: ${s.operation} ${s.result} in ${(s.durationMs / 1000).toFixed(1)} s${changes === "" ? "" : ` (${changes})`}${drift}${fixed}${error}`;
  });
}

/** `type name changed [a, b]` or `type name deleted`. */
export function describeDrift(d: DriftItem): string {
  const props = d.properties.length > 0 ? ` [${d.properties.join(", ")}]` : "";
  return `${d.type.split(":").pop() ?? d.type} ${d.id ?? d.name} ${d.change}${props}`;
}
