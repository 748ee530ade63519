/**
 * An e2e stack: a temporary project directory (this project's Pulumi.yaml plus a stack file with
 * the given config), a file:// backend and a passphrase of its own, opened through the same
 * Automation API path `npm start` uses.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { writeProjectFile, writeStackFile } from "../../automation/pulumi/project-files";
import { openStack } from "../../automation/pulumi/workspace";

/** A stack for one e2e suite. */
export interface E2eStack {
  readonly stack: Stack;
  readonly dir: string;
  /** Removes the stack from the backend and deletes the temporary directory. */
  dispose(): Promise<void>;
}

/**
 * Opens a new stack with `config` (keys with their namespace) against `kubeconfigPath`, on a
 * file:// backend of its own unless `backendDir` is shared (stack references).
 */
export async function openE2eStack(
  stackName: string,
  config: Record<string, unknown>,
  kubeconfigPath: string,
  backendDir?: string,
): Promise<E2eStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-e2e-"));
  writeProjectFile(dir);
  writeStackConfig(dir, stackName, config);
  fs.writeFileSync(path.join(dir, "passphrase"), "e2e-passphrase", { mode: 0o600 });
  const stack = await openStack({
    stackName,
    workDir: dir,
    backendDir: backendDir ?? path.join(dir, "state"),
    passphraseFile: path.join(dir, "passphrase"),
    kubeconfigPath,
  });
  return {
    stack,
    dir,
    async dispose() {
      await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** (Re)writes the stack file with `config`, keeping the salt the CLI wrote. */
export function writeStackConfig(dir: string, stackName: string, config: Record<string, unknown>) {
  writeStackFile(dir, stackName, { config });
}
