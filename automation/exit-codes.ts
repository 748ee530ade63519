/**
 * The exit codes of the automation CLI, documented in the README. A pipeline branches on them:
 * drift has its own code so a scheduled `drift` job can page without treating it as a failure.
 */
export const EXIT_CODES = {
  /** Every selected stack succeeded (for `drift`: no drift). */
  ok: 0,
  /** At least one stack's operation failed (or was skipped because a dependency failed). */
  failed: 1,
  /** Bad command line, stack file or selection: nothing was touched. */
  usage: 2,
  /** `drift` (or `reconcile --dry-run`) found drift and nothing failed. */
  drift: 3,
  /** A stack stayed locked by another live update after every retry. */
  locked: 4,
  /** Cancelled by SIGINT (128 + 2); stacks were left unlocked. */
  interrupted: 130,
  /** Cancelled by SIGTERM (128 + 15); stacks were left unlocked. */
  terminated: 143,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** How one stack's run ended. */
export type StackResult = "succeeded" | "drifted" | "failed" | "locked" | "cancelled" | "skipped";

/**
 * The process's exit code for the stacks' results: a signal wins (the run was cut short), then
 * failure, then a lock (also when it made dependents skip), then cancellation, then a skip, then
 * drift.
 */
export function exitCodeFor(
  results: readonly StackResult[],
  signal?: "SIGINT" | "SIGTERM",
): ExitCode {
  if (signal !== undefined) {
    return signal === "SIGINT" ? EXIT_CODES.interrupted : EXIT_CODES.terminated;
  }
  if (results.includes("failed")) {
    return EXIT_CODES.failed;
  }
  // A stack skipped behind a locked prerequisite: the lock is the cause (a pipeline retries 4).
  if (results.includes("locked")) {
    return EXIT_CODES.locked;
  }
  if (results.includes("cancelled")) {
    return EXIT_CODES.interrupted;
  }
  if (results.includes("skipped")) {
    return EXIT_CODES.failed;
  }
  return results.includes("drifted") ? EXIT_CODES.drift : EXIT_CODES.ok;
}
