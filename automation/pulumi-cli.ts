/**
 * Runs the Pulumi CLI directly for what the Automation API does not offer (refresh flags for
 * pending creates, outputs masked the CLI's way), in the stack's workspace: its directory and
 * environment (backend, passphrase, PULUMI_HOME). Cancelled with SIGINT, as the SDK cancels.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { binaryPath } from "../scripts/toolchain/paths";

/** Runs `pulumi <args>` for `stack`; rejects with the CLI's stderr on failure. */
export async function runPulumi(
  stack: Stack,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<{ stdout: string; stderr: string }> {
  const workspace = stack.workspace as LocalWorkspace;
  return promisify(execFile)(binaryPath("pulumi"), [...args], {
    cwd: workspace.workDir,
    env: { ...process.env, ...workspace.envVars },
    maxBuffer: 64 * 1024 * 1024,
    ...(signal === undefined ? {} : { signal }),
    killSignal: "SIGINT",
  });
}

/**
 * The stack's outputs with every secret value — at any depth — replaced by `[secret]`, as
 * `pulumi stack output --json` prints them without `--show-secrets`.
 */
export async function maskedOutputs(
  stack: Stack,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const { stdout } = await runPulumi(
    stack,
    ["stack", "output", "--json", "--stack", stack.name, "--non-interactive"],
    signal,
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}
