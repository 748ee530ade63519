/**
 * The passphrase of a file:// backend's secrets provider: PULUMI_CONFIG_PASSPHRASE_FILE, or none
 * when PULUMI_CONFIG_PASSPHRASE is set (the CLI reads it), else `<stateDir>/passphrase`, created
 * once with a random passphrase (mode 0600).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensurePassphraseFile } from "./workspace";

/** The passphrase file to use, or undefined when the environment carries the passphrase. */
export function resolvePassphraseFile(
  stateDir: string,
  warn: (message: string) => void,
): string | undefined {
  const fromEnv = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (fromEnv !== undefined && fromEnv !== "") {
    return fromEnv;
  }
  if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined) {
    return undefined;
  }
  const file = path.join(stateDir, "passphrase");
  if (!fs.existsSync(file) && fs.existsSync(path.join(stateDir, "state"))) {
    warn(
      `note: ${file} is missing but ${path.join(stateDir, "state")} exists; if the stacks have secrets, restore the passphrase (or set PULUMI_CONFIG_PASSPHRASE), otherwise delete the state and the encryptionsalt lines of the stack files`,
    );
  }
  return ensurePassphraseFile(file);
}
