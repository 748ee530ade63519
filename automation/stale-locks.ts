/**
 * Stale stack locks. A file:// (DIY) backend locks a stack with a file naming the host and pid of
 * the CLI holding it; an engine killed outright (SIGKILL, OOM, a lost runner) never removes it.
 * A lock is stale when it was taken on this host by a process that no longer exists — then, and
 * only then, it is safe to remove without asking anyone. Only the lock files the error names are
 * removed, each re-read just before (never `pulumi cancel`, which deletes every lock of the stack,
 * including one another run on this host may have taken since). A process killed mid-write can
 * also leave half-written files beside the stack's state, which are repaired with the lock.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_NAME } from "./stack-catalog";
import { fileURLToPath } from "node:url";

/** What the CLI says when it removed a stale lock (the lock error's retry and the pre-read check). */
export const STALE_LOCK_REMOVED =
  "the stack's lock was left by a process of this host that is gone: removed it";

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
  // Each is judged on its own; every lock must be gone for a retry to proceed.
  return paths.map((file) => removeIfStale(file, host, alive)).every((r) => r !== "kept");
}

/**
 * Re-reads a lock file and removes it — with its sidecar and what its holder's interrupted save
 * left half-written — when its holder is a process of this host that is gone. "gone" when the
 * file no longer exists; "kept" when it is live, of another host or unreadable.
 */
function removeIfStale(
  file: string,
  host: string,
  alive: (pid: number) => boolean,
): { repaired: string[] } | "gone" | "kept" {
  let lock: { pid?: unknown; hostname?: unknown };
  try {
    lock = JSON.parse(fs.readFileSync(file, "utf8")) as typeof lock;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : "kept";
  }
  if (lock.hostname !== host || typeof lock.pid !== "number" || alive(lock.pid)) {
    return "kept";
  }
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.attrs`, { force: true });
  return { repaired: repairInterruptedStateWrites(file) };
}

/**
 * Removes the stale locks of one stack on a file:// backend before anything reads its state (a
 * killed save can leave the state unreadable until repaired, see
 * {@link repairInterruptedStateWrites}): every lock file under
 * `<backend>/.pulumi/locks/<org>/<project>/<stack>/` taken on this host by a process that is gone.
 * Returns the lock files removed and the half-written files repaired with them.
 */
export function releaseStaleStackLocks(
  backendDir: string,
  project: string,
  stack: string,
  host: string = os.hostname(),
  alive: (pid: number) => boolean = processAlive,
): { locks: string[]; repaired: string[] } {
  const locksDir = path.join(backendDir, ".pulumi", "locks");
  const orgs = fs.existsSync(locksDir) ? fs.readdirSync(locksDir) : [];
  const lockFiles = orgs.flatMap((org) => {
    const dir = path.join(locksDir, org, project, stack);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => f.endsWith(".json"))
          .map((f) => path.join(dir, f))
      : [];
  });
  const locks: string[] = [];
  const repaired: string[] = [];
  for (const file of lockFiles) {
    const result = removeIfStale(file, host, alive);
    if (typeof result === "object") {
      locks.push(file);
      repaired.push(...result.repaired);
    }
  }
  return { locks, repaired };
}

/**
 * On a file:// backend, removes the stack's locks left by processes of this host that are gone,
 * and what their interrupted saves left half-written, telling `log`; call it before the stack's
 * state is first read (the automation CLI and `npm start` do). Other backends: nothing.
 */
export function releaseStaleLocks(
  backendUrl: string,
  stack: string,
  log: (line: string) => void,
): void {
  if (!backendUrl.startsWith("file://")) {
    return;
  }
  const { locks, repaired } = releaseStaleStackLocks(
    fileURLToPath(new URL(backendUrl)),
    PROJECT_NAME,
    stack,
  );
  if (locks.length > 0) {
    log(
      `${STALE_LOCK_REMOVED}${repaired.length > 0 ? `, and ${repaired.length} half-written file(s) of its last save` : ""}`,
    );
  }
}

/**
 * The half-written files a process killed while saving a stack's state leaves on a file://
 * backend, given one of the stack's lock files (`.pulumi/locks/<org>/<project>/<stack>/<id>.json`):
 * the blob store writes each file to `<name>.<n>.tmp` and renames it (atomic), but rewrites the
 * `<name>.attrs` sidecar in place — killed between truncating and writing it, the sidecar is
 * empty, and every later read of the state fails with "failed to load checkpoint: EOF". A missing
 * sidecar is read as "no attributes", so such sidecars and the temporary files are removed.
 * Returns the files removed. Call only once the stack's lock is known stale (nobody is writing).
 */
export function repairInterruptedStateWrites(lockFile: string): string[] {
  const stackDir = path.dirname(lockFile);
  const stack = path.basename(stackDir);
  const project = path.basename(path.dirname(stackDir));
  const root = path.dirname(path.dirname(path.dirname(path.dirname(stackDir))));
  const places: [string, (name: string) => boolean][] = [
    [path.join(root, "stacks", project), (name) => name.startsWith(`${stack}.json`)],
    [path.join(root, "history", project, stack), () => true],
  ];
  const removed: string[] = [];
  for (const [dir, ours] of places) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter(ours) : [];
    for (const name of names) {
      const file = path.join(dir, name);
      if (/\.[0-9a-f]+\.tmp$/.test(name) || (name.endsWith(".attrs") && !readableJson(file))) {
        fs.rmSync(file, { force: true });
        removed.push(file);
      }
    }
  }
  return removed;
}

function readableJson(file: string): boolean {
  try {
    JSON.parse(fs.readFileSync(file, "utf8"));
    return true;
  } catch {
    return false;
  }
}
