/**
 * Graceful cancellation on SIGINT and SIGTERM, for the automation CLI and `npm start` alike. The
 * first signal stops new work and has the running engines cancel: they finish their in-flight
 * steps and unlock their stacks, and an `up` records the creates it could not confirm. A second
 * signal exits at once.
 */
import { exitCodeFor } from "./exit-codes";

/** The signals that cancel a run. */
export type CancelSignal = "SIGINT" | "SIGTERM";

/** What a run watches to cancel. */
export interface Cancellation {
  /** Aborted to have the engines cancel (the SDK sends them SIGINT). */
  readonly engines: AbortSignal;
  /** Aborted at the first signal: nothing new starts. */
  readonly stop: AbortSignal;
  /** The first signal received, if any. */
  received(): CancelSignal | undefined;
}

/** Installs the process's SIGINT and SIGTERM handlers; `say` tells the user what happens. */
export function cancelOnSignals(say: (message: string) => void): Cancellation {
  const engines = new AbortController();
  const stop = new AbortController();
  let received: CancelSignal | undefined;
  const onSignal = (signal: CancelSignal) => {
    if (received !== undefined) {
      say(`${signal} again: exiting now (a re-run removes stale locks and converges)`);
      process.exit(exitCodeFor([], signal));
    }
    received = signal;
    say(`${signal}: cancelling (engines finish in-flight steps and unlock; again to exit now)`);
    stop.abort();
    // A terminal's Ctrl-C reaches the whole process group, the engines included: forwarding it
    // would be their second SIGINT, which makes them stop at once instead of cleanly.
    if (!(signal === "SIGINT" && process.stdin.isTTY)) {
      engines.abort();
    }
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  return { engines: engines.signal, stop: stop.signal, received: () => received };
}
