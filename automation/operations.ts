/**
 * One stack's operation through the Automation API: preview, up, destroy, refresh, drift (a refresh
 * preview: nothing is written), outputs and reconcile (drift, then `up` when there is some, then
 * drift again to prove the correction). Every mutating operation first repairs what earlier runs
 * left behind — pending creates of a killed engine, creates a cancel interrupted (recorded by the
 * `up` that failed or was cancelled) — and retries a locked stack per the retry policy.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import type { PolicyOptions } from "./pulumi/policy-options";
import { withConflictRetry, type RetryPolicy } from "./conflict-retry";
import { driftFromEvents } from "./drift";
import { repairEarlierRuns, upRecordingInterrupts } from "./recovery";
import { maskedOutputs } from "./pulumi-cli";
import { nonZeroChanges, type DriftItem } from "./summary";

/** The CLI's operations on a stack. */
export const OPERATIONS = [
  "preview",
  "up",
  "destroy",
  "refresh",
  "drift",
  "outputs",
  "reconcile",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations that change the stack (and so wait for, or unblock, other stacks). */
export const MUTATING: readonly Operation[] = ["up", "destroy", "refresh", "reconcile"];

/** What an operation needs. */
export interface OperationContext {
  readonly stack: Stack;
  /** The engine's progress text. */
  readonly onOutput: (text: string) => void;
  /** A line of the CLI's own. */
  readonly log: (line: string) => void;
  /** Aborting sends SIGINT to the engine: it finishes in-flight steps and unlocks the stack. */
  readonly signal: AbortSignal;
  /**
   * Aborted when the run stops: no further step starts. Differs from `signal` after a terminal's
   * Ctrl-C, which already reached the engines (a second SIGINT would make them stop at once).
   */
  readonly stop: AbortSignal;
  readonly policies: PolicyOptions;
  readonly retry: RetryPolicy;
  /** Hears each engine event of previews and updates (policy findings). */
  readonly onEvent: (event: EngineEvent) => void;
  /** Environment for an `up` that corrects drift (SSA takes back fields others took). */
  readonly setForce: (force: boolean) => void;
}

/** What an operation found or changed. */
export interface OperationResult {
  readonly drifted: boolean;
  readonly changes: Record<string, number>;
  readonly outputs?: Record<string, unknown>;
  readonly drift?: readonly DriftItem[];
  readonly corrected?: readonly DriftItem[];
}

/** Runs `operation` on the context's stack. Throws on failure (see run-stacks.ts). */
export async function runOperation(
  operation: Operation,
  ctx: OperationContext,
): Promise<OperationResult> {
  const { stack, onOutput, signal, policies } = ctx;
  const retrying = <T>(fn: () => Promise<T>) =>
    withConflictRetry(fn, ctx.retry, { onRetry: ctx.log, signal: ctx.stop });
  const common = { onOutput, signal, color: "never" as const };
  switch (operation) {
    case "preview": {
      const r = await retrying(() =>
        stack.preview({ ...common, onEvent: ctx.onEvent, diff: true, ...policies }),
      );
      return { drifted: false, changes: nonZeroChanges(r.changeSummary) };
    }
    case "up": {
      await retrying(() => repairEarlierRuns(stack, ctx.log, signal));
      const r = await retrying(() =>
        upRecordingInterrupts(stack, { ...common, onEvent: ctx.onEvent, ...policies }, ctx.log),
      );
      return {
        drifted: false,
        changes: nonZeroChanges(r.summary.resourceChanges),
        outputs: await maskedOutputs(stack, signal),
      };
    }
    case "destroy": {
      await retrying(() => repairEarlierRuns(stack, ctx.log, signal));
      const r = await retrying(() => stack.destroy(common));
      return { drifted: false, changes: nonZeroChanges(r.summary.resourceChanges) };
    }
    case "refresh": {
      await retrying(() => repairEarlierRuns(stack, ctx.log, signal));
      const r = await retrying(() => stack.refresh(common));
      return { drifted: false, changes: nonZeroChanges(r.summary.resourceChanges) };
    }
    case "drift": {
      const drift = await retrying(() => detectDrift(stack, signal));
      drift.forEach((d) => ctx.log(`drift: ${d.type} ${d.id ?? d.name} ${d.change}`));
      return { drifted: drift.length > 0, changes: {}, drift };
    }
    case "outputs":
      return { drifted: false, changes: {}, outputs: await maskedOutputs(stack, signal) };
    case "reconcile":
      return reconcileOnce(ctx, retrying);
  }
}

/** The stack's drift, from a refresh preview. */
export async function detectDrift(stack: Stack, signal: AbortSignal): Promise<DriftItem[]> {
  const events: EngineEvent[] = [];
  await stack.previewRefresh({ onEvent: (e) => events.push(e), signal, color: "never" });
  return driftFromEvents(events);
}

async function reconcileOnce(
  ctx: OperationContext,
  retrying: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<OperationResult> {
  const { stack, signal } = ctx;
  await retrying(() => repairEarlierRuns(stack, ctx.log, signal));
  const drift = await retrying(() => detectDrift(stack, signal));
  if (drift.length === 0) {
    ctx.log("no drift");
    return { drifted: false, changes: {} };
  }
  drift.forEach((d) => ctx.log(`drift: ${d.type} ${d.id ?? d.name} ${d.change}; correcting`));
  // Refresh first so deleted objects are created again; force so fields another field manager
  // took (kubectl edit/scale) come back to the declared values.
  ctx.setForce(true);
  try {
    const r = await retrying(() =>
      upRecordingInterrupts(
        stack,
        {
          onOutput: ctx.onOutput,
          onEvent: ctx.onEvent,
          signal,
          color: "never",
          refresh: true,
          ...ctx.policies,
        },
        ctx.log,
      ),
    );
    const remaining = await retrying(() => detectDrift(stack, signal));
    const changes = nonZeroChanges(r.summary.resourceChanges);
    if (remaining.length > 0) {
      // Something put it back at once (another controller): still drift, and a correction
      // attempt the loop counts towards --max-corrections.
      ctx.log(
        `drift remains after the correction: ${remaining.map((d) => `${d.type} ${d.id ?? d.name}`).join(", ")}`,
      );
      return { drifted: true, changes, drift: remaining, corrected: drift };
    }
    ctx.log(`corrected ${drift.length} drifted resource(s)`);
    return {
      drifted: false,
      changes,
      outputs: await maskedOutputs(stack, signal),
      drift,
      corrected: drift,
    };
  } finally {
    ctx.setForce(false);
  }
}
