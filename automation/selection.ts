/**
 * Which stacks a command runs on: every filter given must match (`--environment`, `--cluster`,
 * `--stack`, each repeatable, a stack matching any of a filter's values).
 */
import type { StackEntry } from "./stack-catalog";

/** The filters of a command line. Empty lists do not filter. */
export interface Selection {
  readonly environments: readonly string[];
  readonly clusters: readonly string[];
  readonly stacks: readonly string[];
}

/** A command line that selects nothing it could run, with what was asked and what exists. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

/** The selected stacks, in catalog order; throws {@link SelectionError} when none or unknown. */
export function selectStacks(catalog: readonly StackEntry[], selection: Selection): StackEntry[] {
  const known = catalog.map((s) => s.name);
  const unknown = selection.stacks.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new SelectionError(
      `--stack: no stack file for ${unknown.map((s) => `'${s}'`).join(", ")}; stacks here: ${known.join(", ") || "(none)"}`,
    );
  }
  const matches = (values: readonly string[], value: string | undefined) =>
    values.length === 0 || (value !== undefined && values.includes(value));
  const selected = catalog.filter(
    (s) =>
      matches(selection.environments, s.environment) &&
      matches(selection.clusters, s.clusterId) &&
      matches(selection.stacks, s.name),
  );
  if (selected.length === 0) {
    const described = catalog.map(
      (s) => `${s.name} (${s.environment}, cluster ${s.clusterId ?? "-"}, ${s.role})`,
    );
    throw new SelectionError(
      `no stack matches ${describeSelection(selection)}; stacks here: ${described.join("; ") || "(none)"}`,
    );
  }
  return selected;
}

/** The filters as a command line would show them. */
export function describeSelection(selection: Selection): string {
  const parts = [
    ...selection.environments.map((e) => `--environment ${e}`),
    ...selection.clusters.map((c) => `--cluster ${c}`),
    ...selection.stacks.map((s) => `--stack ${s}`),
  ];
  return parts.length === 0 ? "(all stacks)" : parts.join(" ");
}
