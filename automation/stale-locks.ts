/**
 * Stale stack locks. A file:// (DIY) backend locks a stack with a file naming the host and pid of
 * the CLI holding it; an engine killed outright (SIGKILL, OOM, a lost runner) never removes it.
 * A lock is stale when it was taken on this host by a process that no longer exists — then, and
 * only then, it is safe to remove without asking anyone. Only the lock files the error names are
 * removed, each re-read just before (never `pulumi cancel`, which deletes every lock of the stack,
 * including one another run on this host may have taken since).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { fileURLToPath } from "node:url";

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

/** The lock files a file:// backend's error names (other backends name none). */
export function lockFilePaths(message: string): string[] {
  const paths: string[] = [];
  for (const m of message.matchAll(/(file:\/\/\S+?\.json)(\?\S*)?: created by/g)) {
    paths.push(fileURLToPath(m[1]));
  }
  return paths;
}

/**
 * Removes the stale lock files the error names, re-reading each first; true when every lock the
 * error names is gone (so a retry may proceed), false when one is live, unreadable or not a file.
 */
export function removeStaleLockFiles(
  message: string,
  host: string = os.hostname(),
  alive: (pid: number) => boolean = processAlive,
): boolean {
  const paths = lockFilePaths(message);
  if (paths.length === 0 || paths.length !== lockHolders(message).length) {
    return false;
  }
  let all = true;
  for (const file of paths) {
    let lock: { pid?: unknown; hostname?: unknown };
    try {
      lock = JSON.parse(fs.readFileSync(file, "utf8")) as typeof lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        continue;
      }
      all = false;
      continue;
    }
    if (lock.hostname === host && typeof lock.pid === "number" && !alive(lock.pid)) {
      fs.rmSync(file, { force: true });
      fs.rmSync(`${file}.attrs`, { force: true });
    } else {
      all = false;
    }
  }
  return all;
}
