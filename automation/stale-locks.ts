/**
 * Stale stack locks. A file:// (DIY) backend locks a stack with a file naming the host and pid of
 * the CLI holding it; an engine killed outright (SIGKILL, OOM, a lost runner) never removes it.
 * A lock is stale when it was taken on this host by a process that no longer exists — then, and
 * only then, it is safe to remove without asking anyone.
 */
import * as os from "node:os";

/** One lock named by a "stack is currently locked" error. */
export interface LockHolder {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
}

/** The holders a DIY backend's lock error lists (`created by user@host (pid N) at …`). */
export function lockHolders(message: string): LockHolder[] {
  const holders: LockHolder[] = [];
  for (const m of message.matchAll(/created by (.*?)@(\S+) \(pid (\d+)\)/g)) {
    holders.push({ user: m[1], host: m[2], pid: Number(m[3]) });
  }
  return holders;
}

/** Whether a process with this pid exists on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether every lock in the error is stale: taken on this host by a process that is gone. Locks
 * of other hosts are never judged stale (their process may be alive).
 */
export function locksAreStale(
  message: string,
  host: string = os.hostname(),
  alive: (pid: number) => boolean = processAlive,
): boolean {
  const holders = lockHolders(message);
  return holders.length > 0 && holders.every((h) => h.host === host && !alive(h.pid));
}
