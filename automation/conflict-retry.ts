/**
 * Retries an operation refused because another update holds the stack, with exponential backoff
 * and jitter. A stale lock (see stale-locks.ts) is removed first, once, without waiting.
 */
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { locksAreStale, removeStaleLockFiles, STALE_LOCK_REMOVED } from "./stale-locks";

/** How long to keep trying a locked stack. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  /** First delay, doubled each retry. */
  readonly baseDelayMs: number;
  /** Longest delay. */
  readonly maxDelayMs: number;
}

/** The default: 5 retries from 2 s doubling to at most 30 s (about a minute in all). */
export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseDelayMs: 2000, maxDelayMs: 30000 };

/** The stack stayed locked by a live update through every retry. */
export class StackLockedError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = "StackLockedError";
  }
}

/** The delay before retry `attempt` (0-based): base·2^attempt capped, with ±50 % jitter. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Hooks of {@link withConflictRetry}. */
export interface RetryHooks {
  /**
   * Removes the stale locks the error names; true when none is left.
   * @default removeStaleLockFiles
   */
  readonly removeStaleLocks?: (message: string) => boolean;
  /** Told before each wait. */
  readonly onRetry: (message: string) => void;
  /** Aborts the wait (the run is being cancelled). */
  readonly signal?: AbortSignal;
  /** Sleeps; replaceable in tests. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Whether the error's locks are stale. @default locksAreStale */
  readonly isStale?: (message: string) => boolean;
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new Error("aborted"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Runs `operation`, retrying concurrent-update conflicts per `policy`. */
export async function withConflictRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<T> {
  const sleep = hooks.sleep ?? abortableSleep;
  const isStale = hooks.isStale ?? locksAreStale;
  const removeStale = hooks.removeStaleLocks ?? ((m: string) => removeStaleLockFiles(m));
  let staleRemoved = false;
  for (let attempt = 0; ; attempt++) {
    // The SDK only hears an abort that comes while the CLI runs: never start a step after one.
    hooks.signal?.throwIfAborted();
    try {
      return await operation();
    } catch (e) {
      if (!(e instanceof ConcurrentUpdateError) && !isConflict(e)) {
        throw e;
      }
      const message = (e as Error).message;
      if (!staleRemoved && isStale(message)) {
        staleRemoved = true;
        if (removeStale(message)) {
          hooks.onRetry(STALE_LOCK_REMOVED);
          attempt--;
          continue;
        }
      }
      if (attempt >= policy.retries) {
        throw new StackLockedError(
          `the stack is locked by another update (${policy.retries} retries): ${lockLines(message)}`,
          e,
        );
      }
      const delay = backoffDelay(policy, attempt);
      hooks.onRetry(
        `the stack is locked by another update; retry ${attempt + 1}/${policy.retries} in ${(delay / 1000).toFixed(1)} s`,
      );
      await sleep(delay, hooks.signal);
    }
  }
}

/** A conflict reported by the CLI without the SDK's class (e.g. a direct CLI run). */
function isConflict(e: unknown): boolean {
  const message = (e as { message?: unknown })?.message;
  return typeof message === "string" && message.includes("the stack is currently locked by");
}

/** The lock lines of the message: the "locked" line and each holder's. */
function lockLines(message: string): string {
  return message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.includes("currently locked") || l.includes("created by"))
    .join(" ");
}
