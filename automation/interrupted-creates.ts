/**
 * Creates whose outcome a run never learned. When a run is cancelled (or its connection drops)
 * while the Kubernetes provider's create request is on the wire, the provider reports a failure
 * ("context canceled") and the engine records nothing — yet the API server may have applied the
 * request. The object then exists outside the state: the next `up` is refused ("already exists")
 * and `destroy` leaves it behind.
 *
 * The CLI writes each such create into the state as a resource marked with an initialization
 * error (its id `namespace/name`, no data), and before the next operation refreshes exactly those:
 * the provider reads back what exists and the engine drops what does not — what
 * `--import-pending-creates` does for a killed engine. (Pending operations cannot be written:
 * `pulumi stack import` clears them.)
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";

/** Failures after which a create request may have reached the API server with its answer lost. */
const ANSWER_LOST =
  /context canceled|context deadline exceeded|connection reset by peer|unexpected EOF|http2: client connection lost/;
/** Failures before any request was sent: nothing can exist. */
const NEVER_SENT = /client rate limiter Wait returned an error/;

/** A create the run could not confirm or rule out. */
export interface InterruptedCreate {
  readonly urn: string;
  readonly type: string;
  readonly parent: string;
  readonly provider: string;
  /** The object's `apiVersion`, `kind` and `metadata.name`/`namespace` (nothing else: no data). */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** A plain Kubernetes object (not a Helm release or chart, not a provider). */
const isObjectType = (type: string) =>
  type.startsWith("kubernetes:") &&
  !type.startsWith("kubernetes:helm") &&
  !type.startsWith("kubernetes:kustomize") &&
  !type.startsWith("kubernetes:yaml");

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The creates of a run's engine events that failed in a way that may have left the object. */
export function interruptedCreates(events: readonly EngineEvent[]): InterruptedCreate[] {
  const errors = new Map<string, string>();
  for (const e of events) {
    const d = e.diagnosticEvent;
    if (d?.severity === "error" && d.urn !== undefined) {
      errors.set(d.urn, `${errors.get(d.urn) ?? ""}${d.message}\n`);
    }
  }
  const out: InterruptedCreate[] = [];
  for (const e of events) {
    const m = e.resOpFailedEvent?.metadata;
    const created = m?.new;
    const error = errors.get(m?.urn ?? "") ?? "";
    if (
      m === undefined ||
      created === undefined ||
      m.op !== "create" ||
      !isObjectType(m.type) ||
      !ANSWER_LOST.test(error) ||
      NEVER_SENT.test(error)
    ) {
      continue;
    }
    const inputs = (created.inputs ?? {}) as {
      apiVersion?: unknown;
      kind?: unknown;
      metadata?: { name?: unknown; namespace?: unknown };
    };
    const name = str(inputs.metadata?.name);
    if (name === undefined) {
      continue;
    }
    const namespace = str(inputs.metadata?.namespace);
    const apiVersion = str(inputs.apiVersion);
    const kind = str(inputs.kind);
    out.push({
      urn: m.urn,
      type: m.type,
      parent: created.parent,
      provider: created.provider,
      inputs: {
        ...(apiVersion === undefined ? {} : { apiVersion }),
        ...(kind === undefined ? {} : { kind }),
        metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
      },
    });
  }
  return out;
}

/** The initialization error that marks a recorded interrupted create. */
export const INTERRUPTED_MARK =
  "aios-infra: the create was interrupted with its outcome unknown; the next run refreshes it";

interface StateResource {
  urn?: string;
  initErrors?: string[];
}

interface Deployment {
  resources?: StateResource[];
}

/** A provider reference's URN (`urn::id`). */
const providerUrn = (reference: string) => reference.split("::").slice(0, -1).join("::");

/**
 * The deployment with `creates` added as marked resources: those it does not know already and
 * whose parent and provider it holds (a resource may only follow them).
 */
export function withInterruptedCreates(
  deployment: Deployment,
  creates: readonly InterruptedCreate[],
): { deployment: Deployment; added: InterruptedCreate[] } {
  const known = new Set((deployment.resources ?? []).map((r) => r.urn));
  const added = creates.filter(
    (c) => !known.has(c.urn) && known.has(c.parent) && known.has(providerUrn(c.provider)),
  );
  const resources = added.map((c) => {
    const metadata = c.inputs.metadata as { name: string; namespace?: string };
    return {
      urn: c.urn,
      custom: true,
      id:
        metadata.namespace === undefined ? metadata.name : `${metadata.namespace}/${metadata.name}`,
      type: c.type,
      inputs: c.inputs,
      outputs: {},
      parent: c.parent,
      provider: c.provider,
      initErrors: [INTERRUPTED_MARK],
    };
  });
  return {
    deployment: { ...deployment, resources: [...(deployment.resources ?? []), ...resources] },
    added,
  };
}

/** URNs of the recorded interrupted creates of a deployment. */
export function interruptedUrns(deployment: Deployment): string[] {
  return (deployment.resources ?? [])
    .filter((r) => r.initErrors?.includes(INTERRUPTED_MARK) === true && r.urn !== undefined)
    .map((r) => r.urn as string);
}

/**
 * Records the interrupted creates of a finished (failed or cancelled) run in the stack's state.
 * Returns those added.
 */
export async function recordInterruptedCreates(
  stack: Stack,
  events: readonly EngineEvent[],
  log: (line: string) => void,
): Promise<InterruptedCreate[]> {
  const creates = interruptedCreates(events);
  if (creates.length === 0) {
    return [];
  }
  const state = await stack.exportStack();
  const { deployment, added } = withInterruptedCreates(state.deployment as Deployment, creates);
  if (added.length > 0) {
    await stack.importStack({ ...state, deployment });
    log(
      `${added.length} create(s) were interrupted with their outcome unknown; recorded, the next run reads back what exists: ${added.map((c) => c.urn.split("::").pop()).join(", ")}`,
    );
  }
  return added;
}

/**
 * Refreshes the recorded interrupted creates (a no-op without any): each becomes the object read
 * back from the cluster, or leaves the state when it does not exist. Returns their URNs.
 */
export async function repairInterruptedCreates(
  stack: Stack,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string[]> {
  const urns = interruptedUrns((await stack.exportStack()).deployment as Deployment);
  if (urns.length === 0) {
    return urns;
  }
  log(
    `an earlier run was interrupted with ${urns.length} create(s) of unknown outcome; reading them back: ${urns.map((u) => u.split("::").pop()).join(", ")}`,
  );
  // The program runs so the provider is configured as the coming operation configures it (the
  // state's provider configuration may be stale: a rotated kubeconfig).
  await stack.refresh({
    target: urns,
    runProgram: true,
    color: "never",
    onOutput: (text) =>
      text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .forEach(log),
    ...(signal === undefined ? {} : { signal }),
  });
  return urns;
}
