/**
 * An e2e stack: a temporary project directory (this project's Pulumi.yaml plus a stack file with
 * the given config), a file:// backend and a passphrase of its own, opened through the same
 * Automation API path `npm start` uses.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { openStack, PROJECT_DIR } from "../../scripts/pulumi/workspace";

/** A stack for one e2e suite. */
export interface E2eStack {
  readonly stack: Stack;
  readonly dir: string;
  /** Removes the stack from the backend and deletes the temporary directory. */
  dispose(): Promise<void>;
}

/** Opens a new stack with `config` (keys with their namespace) against `kubeconfigPath`. */
export async function openE2eStack(
  stackName: string,
  config: Record<string, unknown>,
  kubeconfigPath: string,
): Promise<E2eStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-e2e-"));
  // The project file without `main`: the program runs inline, from this process.
  const project = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as {
    main?: string;
  };
  delete project.main;
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(project));
  writeStackConfig(dir, stackName, config);
  fs.writeFileSync(path.join(dir, "passphrase"), "e2e-passphrase", { mode: 0o600 });
  const stack = await openStack({
    stackName,
    workDir: dir,
    backendDir: path.join(dir, "state"),
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

/** (Re)writes the stack file with `config` (JSON is YAML). */
export function writeStackConfig(dir: string, stackName: string, config: Record<string, unknown>) {
  const file = path.join(dir, `Pulumi.${stackName}.yaml`);
  // Keep what the CLI wrote (the secrets provider's salt); replace the config.
  const previous = fs.existsSync(file)
    ? (YAML.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  fs.writeFileSync(file, YAML.stringify({ ...previous, config }));
}
