/**
 * Repairs what an engine killed mid-operation leaves in the state: "pending creates", objects the
 * engine asked for but never recorded. Upserting them again is refused (the Kubernetes provider
 * reports "already exists"), and forgetting them orphans them. Before an operation the CLI imports
 * each pending Kubernetes object or Helm release by its id (`namespace/name`), so a refresh reads
 * it back — or
 * drops it when the create never reached the API server — and clears the rest (dynamic resources
 * re-create idempotently under stable ids).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { runPulumi } from "./pulumi-cli";

/** A pending create: what the state recorded before the engine stopped. */
export interface PendingCreate {
  readonly urn: string;
  readonly type: string;
  /** Provider id to import it by, when it is derivable (Kubernetes objects). */
  readonly id?: string;
}

interface PendingOperation {
  readonly type?: string;
  readonly resource?: {
    readonly urn?: string;
    readonly type?: string;
    readonly inputs?: {
      readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
      /** A Helm Release's own name and namespace. */
      readonly name?: unknown;
      readonly namespace?: unknown;
    };
  };
}

/** The pending creates of a deployment (from `stack export`). */
export function pendingCreates(deployment: { pending_operations?: unknown }): PendingCreate[] {
  const ops = (deployment.pending_operations ?? []) as readonly PendingOperation[];
  return ops
    .filter((op) => op.type === "creating" && typeof op.resource?.urn === "string")
    .map((op) => {
      const type = op.resource?.type ?? "";
      const isRelease = type === "kubernetes:helm.sh/v3:Release";
      // A Release is named at the top of its inputs; an object in its metadata.
      const meta = isRelease ? op.resource?.inputs : op.resource?.inputs?.metadata;
      const name = typeof meta?.name === "string" ? meta.name : undefined;
      const namespace = typeof meta?.namespace === "string" ? meta.namespace : undefined;
      const isObject =
        isRelease || (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm"));
      const id =
        isObject && name !== undefined
          ? namespace === undefined
            ? name
            : `${namespace}/${name}`
          : undefined;
      return { urn: op.resource?.urn as string, type, ...(id === undefined ? {} : { id }) };
    });
}

/** The CLI arguments of the repairing refresh. */
export function repairArgs(stackName: string, pending: readonly PendingCreate[]): string[] {
  // A string-array flag: one value per occurrence, each URN followed by its id.
  const imports = pending.flatMap((p) =>
    p.id === undefined ? [] : ["--import-pending-creates", p.urn, "--import-pending-creates", p.id],
  );
  return [
    "refresh",
    "--stack",
    stackName,
    "--yes",
    "--skip-preview",
    "--non-interactive",
    "--color",
    "never",
    ...imports,
    "--clear-pending-creates",
  ];
}

/**
 * Imports or clears the stack's pending creates (a no-op without any); returns what it found.
 * `log` hears the refresh's output.
 */
export async function repairPendingCreates(
  stack: Stack,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<PendingCreate[]> {
  const state = await stack.exportStack();
  const pending = pendingCreates(state.deployment as { pending_operations?: unknown });
  if (pending.length === 0) {
    return pending;
  }
  log(
    `an earlier run stopped with ${pending.length} create(s) in flight; importing ${pending.filter((p) => p.id !== undefined).length} and refreshing: ${pending.map((p) => p.urn.split("::").pop()).join(", ")}`,
  );
  const { stdout, stderr } = await runPulumi(stack, repairArgs(stack.name, pending), signal);
  `${stdout}${stderr}`
    .split("\n")
    .filter((l) => l.trim() !== "")
    .forEach(log);
  return pending;
}
