/**
 * What every mutating run does about the runs before it, for the automation CLI and `npm start`
 * alike: first repair what they left in the state (creates a killed engine left pending, creates a
 * cancel interrupted with their outcome unknown), and when an `up` fails or is cancelled, record
 * the creates it could not confirm so the next run repairs them.
 */
import type { EngineEvent, Stack, UpOptions, UpResult } from "@pulumi/pulumi/automation";
import { recordInterruptedCreates, repairInterruptedCreates } from "./interrupted-creates";
import { repairPendingCreates } from "./pending-creates";

/** Repairs what earlier runs left in the stack's state (a no-op when they left nothing). */
export async function repairEarlierRuns(
  stack: Stack,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  await repairPendingCreates(stack, log, signal);
  await repairInterruptedCreates(stack, log, signal);
}

/**
 * `stack.up(options)`; when it fails or is cancelled, the creates whose outcome it never learned
 * are recorded before the error is rethrown.
 */
export async function upRecordingInterrupts(
  stack: Stack,
  options: UpOptions,
  log: (line: string) => void,
): Promise<UpResult> {
  // Only what recordInterruptedCreates reads: error diagnostics and failed steps.
  const failures: EngineEvent[] = [];
  try {
    return await stack.up({
      ...options,
      onEvent: (e) => {
        if (e.resOpFailedEvent !== undefined || e.diagnosticEvent?.severity === "error") {
          failures.push(e);
        }
        options.onEvent?.(e);
      },
    });
  } catch (e) {
    await recordInterruptedCreates(stack, failures, log).catch((err: unknown) =>
      log(`could not record the interrupted creates: ${String(err)}`),
    );
    throw e;
  }
}
