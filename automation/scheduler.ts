/**
 * Runs one task per stack of a run graph: at most `concurrency` at a time, each once the stacks it
 * waits for have finished. A stack whose prerequisite did not end well is not started (skipped,
 * naming it); once `cancelled()` says so, nothing new starts.
 */
import type { StackResult } from "./exit-codes";
import type { RunGraph } from "./run-order";

/** Arguments of {@link schedule}. */
export interface ScheduleArgs<T extends { readonly result: StackResult }> {
  readonly graph: RunGraph;
  /** Most tasks running at once (≥ 1). */
  readonly concurrency: number;
  /** Runs one stack's task. It must not throw: failures are outcomes. */
  readonly run: (stack: string) => Promise<T>;
  /** The outcome of a stack that is not run (`skipped` or `cancelled`), with the reason. */
  readonly notRun: (stack: string, result: "skipped" | "cancelled", reason: string) => T;
  /** Whether a finished prerequisite lets its dependents run. */
  readonly unblocks: (result: StackResult) => boolean;
  /** True once the run is being cancelled. @default never */
  readonly cancelled?: () => boolean;
}

/** Every stack's outcome, by stack name. */
export async function schedule<T extends { readonly result: StackResult }>(
  args: ScheduleArgs<T>,
): Promise<Map<string, T>> {
  const { graph, run, notRun, unblocks } = args;
  const cancelled = args.cancelled ?? (() => false);
  const outcomes = new Map<string, T>();
  const running = new Map<string, Promise<void>>();
  const pending = new Set(graph.keys());
  const concurrency = Math.max(1, Math.floor(args.concurrency));
  /** Starts, skips or cancels what it can; true when anything changed. */
  const pass = (): boolean => {
    let changed = false;
    for (const stack of [...pending].sort()) {
      const prerequisites = graph.get(stack) ?? [];
      const blocker = prerequisites.find(
        (p) => outcomes.has(p) && !unblocks((outcomes.get(p) as T).result),
      );
      if (cancelled()) {
        outcomes.set(stack, notRun(stack, "cancelled", "the run was cancelled before it started"));
      } else if (blocker !== undefined) {
        const result = (outcomes.get(blocker) as T).result;
        outcomes.set(stack, notRun(stack, "skipped", `its prerequisite ${blocker} ${result}`));
      } else if (running.size < concurrency && prerequisites.every((p) => outcomes.has(p))) {
        running.set(
          stack,
          run(stack).then((outcome) => {
            outcomes.set(stack, outcome);
            running.delete(stack);
          }),
        );
      } else {
        continue;
      }
      pending.delete(stack);
      changed = true;
    }
    return changed;
  };
  while (pending.size > 0 || running.size > 0) {
    // A skip can unblock a skip further down the graph: repeat until nothing changes.
    while (pass()) {
      /* another pass */
    }
    if (running.size > 0) {
      await Promise.race(running.values());
    } else if (pending.size > 0) {
      // Only reachable with a cycle, which runGraph refuses; never spin.
      throw new Error(`cannot order stacks: ${[...pending].join(", ")}`);
    }
  }
  return outcomes;
}
