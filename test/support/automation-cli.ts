/**
 * Drives the automation CLI as a user's pipeline would: a separate process (`ts-node
 * automation/main.ts …` on this Node), its exit code, its output, and its JSON summary. Also
 * runs the Pulumi CLI itself in a project directory (`pulumi config set --secret`, as the README
 * tells users to).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunSummary } from "../../automation/summary";
import { baseEnv, PROJECT_DIR } from "../../automation/pulumi/workspace";
import { binaryPath } from "../../scripts/toolchain/paths";

/** A finished CLI run. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly summary?: RunSummary;
}

/** A CLI run in progress. */
export interface RunningCli {
  readonly child: ChildProcess;
  /** Output so far (stdout and stderr). */
  output(): string;
  readonly done: Promise<CliRun>;
}

/** The environment of the CLI: no backend or passphrase from the caller's environment. */
function cliEnv(passphraseFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TS_NODE_TRANSPILE_ONLY: "true",
    PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
  };
  delete env.PULUMI_BACKEND_URL;
  delete env.PULUMI_CONFIG_PASSPHRASE;
  delete env.KUBECONFIG;
  return env;
}

/** Starts `automation/main.ts <args> --dir <dir> --summary <dir>/summary.json`. */
export function startCli(dir: string, passphraseFile: string, args: readonly string[]): RunningCli {
  const summaryFile = path.join(dir, "summary.json");
  fs.rmSync(summaryFile, { force: true });
  const child = spawn(
    process.execPath,
    [
      require.resolve("ts-node/dist/bin.js"),
      path.join(PROJECT_DIR, "automation", "main.ts"),
      ...args,
      "--dir",
      dir,
      "--summary",
      summaryFile,
    ],
    { cwd: PROJECT_DIR, env: cliEnv(passphraseFile), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => {
    child.on("close", (code) => {
      const summary = fs.existsSync(summaryFile)
        ? (JSON.parse(fs.readFileSync(summaryFile, "utf8")) as RunSummary)
        : undefined;
      resolve({ code, stdout, stderr, ...(summary === undefined ? {} : { summary }) });
    });
  });
  return { child, output: () => stdout + stderr, done };
}

/** Runs the CLI to the end. */
export function runCli(dir: string, passphraseFile: string, ...args: string[]): Promise<CliRun> {
  return startCli(dir, passphraseFile, args).done;
}

/** Resolves once `pattern` appears in the run's output (rejects when it ends first). */
export async function waitForOutput(run: RunningCli, pattern: RegExp): Promise<void> {
  for (;;) {
    if (pattern.test(run.output())) {
      return;
    }
    if (run.child.exitCode !== null) {
      throw new Error(`the CLI ended before printing ${String(pattern)}:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function processTable(): [number, number, string][] {
  return execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3)
    .map(([pid, ppid, comm]) => [Number(pid), Number(ppid), comm]);
}

/** Pids of the `pulumi` engine processes the CLI process started. */
export function enginePids(cliPid: number): number[] {
  return processTable()
    .filter(([, ppid, comm]) => ppid === cliPid && comm === "pulumi")
    .map(([pid]) => pid);
}

/** Pids of every process below `pid` (an engine's provider plugins, …). */
export function descendantPids(pid: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of table) {
      if (ppid === parent) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** Runs the Pulumi CLI in `dir` on the file:// backend `backendDir` (input on stdin). */
export function pulumi(
  dir: string,
  backendDir: string,
  passphraseFile: string,
  args: readonly string[],
  input?: string,
): string {
  return execFileSync(binaryPath("pulumi"), [...args, "--non-interactive"], {
    cwd: dir,
    env: {
      ...process.env,
      ...baseEnv(),
      PULUMI_BACKEND_URL: `file://${backendDir}`,
      PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
    },
    input,
    encoding: "utf8",
  });
}

/** The last `lines` lines of a text. */
const tail = (text: string, lines = 60) => text.split("\n").slice(-lines).join("\n");

/**
 * Asserts a run's exit code. On a mismatch the failure carries the end of the run's output and
 * its summary's errors, so a failure in CI explains itself.
 */
export function expectExit(run: CliRun, code: number): void {
  try {
    expect(run.code).toBe(code);
  } catch (error) {
    const errors = (run.summary?.stacks ?? [])
      .map((s) => `${s.stack} ${s.operation} ${s.result}: ${s.error ?? ""}`)
      .join("\n");
    (error as Error).message +=
      `\n--- summary\n${errors}\n--- stdout (end)\n${tail(run.stdout)}\n--- stderr (end)\n${tail(run.stderr)}`;
    throw error;
  }
}
