/**
 * The reconcile loop: the self-healing of a Kubernetes operator without one in the cluster. Each
 * pass looks for drift on every selected stack and runs `up` where it finds some. One pass by
 * default (cron, a pipeline step); with `every`, a pass per interval until `iterations` passes, a
 * signal, or a stack whose drift keeps coming back (`maxCorrections` passes in a row: something
 * else manages those objects, and fighting it forever helps no one).
 */
import { abortableSleep } from "./conflict-retry";
import type { StackOutcome } from "./summary";

/** Arguments of {@link reconcileLoop}. */
export interface ReconcileLoopArgs {
  /** One pass over the stacks. */
  readonly pass: (iteration: number) => Promise<StackOutcome[]>;
  /** Interval between the starts of passes, in ms. @default - one pass */
  readonly everyMs?: number;
  /** Most passes. @default 1 without everyMs, unbounded with it */
  readonly iterations?: number;
  /** Passes in a row a stack may need a correction before the loop gives up. @default 3 */
  readonly maxCorrections?: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  /** Called after each pass (e.g. to write the summary). */
  readonly onPass?: (iteration: number, outcomes: readonly StackOutcome[]) => void;
  /** Sleeps; replaceable in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Runs passes; returns the last pass's outcomes (a flapping stack's marked failed). */
export async function reconcileLoop(args: ReconcileLoopArgs): Promise<StackOutcome[]> {
  const iterations = args.iterations ?? (args.everyMs === undefined ? 1 : Infinity);
  const maxCorrections = args.maxCorrections ?? 3;
  const sleep = args.sleep ?? abortableSleep;
  const streak = new Map<string, number>();
  let last: StackOutcome[] = [];
  for (let i = 1; i <= iterations && !args.signal.aborted; i++) {
    const started = Date.now();
    last = await args.pass(i);
    let flapping = false;
    last = last.map((o) => {
      const n = (o.corrected?.length ?? 0) > 0 ? (streak.get(o.stack) ?? 0) + 1 : 0;
      streak.set(o.stack, n);
      if (n < maxCorrections) {
        return o;
      }
      flapping = true;
      return {
        ...o,
        result: "failed" as const,
        error: `drift came back in ${n} passes in a row (${(o.corrected ?? []).map((d) => d.id ?? d.name).join(", ")}): something else manages these objects; stopping`,
      };
    });
    args.onPass?.(i, last);
    const corrections = last.reduce((n, o) => n + (o.corrected?.length ?? 0), 0);
    args.log(
      `pass ${i}: ${corrections} correction(s), ${last.filter((o) => o.result !== "succeeded").length} stack(s) not converged`,
    );
    if (flapping || i >= iterations || args.everyMs === undefined) {
      break;
    }
    const wait = Math.max(0, args.everyMs - (Date.now() - started));
    args.log(`next pass in ${(wait / 1000).toFixed(0)} s`);
    await sleep(wait, args.signal).catch(() => undefined);
  }
  return last;
}
