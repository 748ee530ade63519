/**
 * Child processes of the local control plane. Each runs in its own process group (so a stop kills
 * whatever it spawned too) with stdout and stderr in a log file, and is recorded in the run's
 * state file so that a later `stop` — or the reaper of a crashed run — can find it.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** A started component. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /**
   * Start time of the process (/proc/<pid>/stat field 22) and the boot it belongs to: a recorded
   * pid is signalled only while both still match, so a stale state file (after a reboot or pid
   * reuse) never hits an unrelated process.
   */
  readonly startTime?: string;
  readonly bootId?: string;
}

/**
 * The fields of /proc/<pid>/stat from field 3 (state) on, or undefined when there is no such
 * process. The command name before them may hold spaces and parentheses, so it is skipped by
 * its last ')'.
 */
function procStatFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), if the process exists. */
export function processStartTime(pid: number): string | undefined {
  return procStatFields(pid)?.[19];
}

/** This boot's id. */
export function bootId(): string | undefined {
  try {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** True when `p` still names the process that was started (same boot, same start time). */
export function isSameProcess(p: ManagedProcess): boolean {
  if (p.startTime === undefined || p.bootId === undefined) {
    return isAlive(p.pid);
  }
  return bootId() === p.bootId && processStartTime(p.pid) === p.startTime && isAlive(p.pid);
}

/** Starts `bin args…` detached in its own process group, logging to `<dir>/logs/<name>.log`. */
export function startProcess(
  dir: string,
  name: string,
  bin: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): ManagedProcess {
  const logDir = path.join(dir, "logs");
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, "a");
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      cwd: dir,
      env: { ...process.env, ...env },
    });
    if (child.pid === undefined) {
      throw new Error(`could not start ${name} (${bin})`);
    }
    // A failed exec is also reported asynchronously; the pid check above already threw.
    child.on("error", () => undefined);
    child.unref();
    return {
      name,
      pid: child.pid,
      logFile,
      startTime: processStartTime(child.pid),
      bootId: bootId(),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * True while a process with this pid runs. A zombie (exited, not yet reaped — which happens to
 * orphans where PID 1 does not reap) counts as gone.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  const state = procStatFields(pid)?.[0];
  return state !== "Z";
}

/** Sends a signal to the process group of `pid`, ignoring groups that are already gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") {
      throw e;
    }
  }
}

/**
 * Synchronously terminates process groups: SIGTERM, a grace period, then SIGKILL, and waits until
 * every process is gone. Synchronous so that it also works from an `exit` handler.
 */
export function killAllSync(pids: readonly number[], graceMs = 5000): void {
  for (const pid of pids) {
    signalGroup(pid, "SIGTERM");
  }
  waitGone(pids, graceMs);
  for (const pid of pids.filter(isAlive)) {
    signalGroup(pid, "SIGKILL");
  }
  waitGone(pids, 5000);
}

function waitGone(pids: readonly number[], ms: number): void {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && pids.some(isAlive)) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function tailLog(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
