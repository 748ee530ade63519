/**
 * Opens a catalog stack for the CLI: its stack file is copied into a work directory (beside a copy
 * of Pulumi.yaml without `main`: the program runs inline), so the CLI's own writes — the salt of
 * the secrets provider — never touch the project's files, and parallel stacks share nothing but
 * the backend. A stack without `aios-infra:kubeconfig` (dev only) uses the embedded local cluster
 * when it runs, else $KUBECONFIG.
 */
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { readStackFile, writeProjectFile, writeStackFile } from "./pulumi/project-files";
import { openStack } from "./pulumi/workspace";
import type { StackEntry } from "./stack-catalog";

/** Where and how the CLI's stacks run. */
export interface WorkspaceSettings {
  /** Directory with the stack files (`Pulumi.<stack>.yaml`). */
  readonly projectDir: string;
  /** Directory the CLI runs in (gets Pulumi.yaml and copies of the stack files). */
  readonly workDir: string;
  /** Backend URL. */
  readonly backendUrl: string;
  /** Passphrase file of the secrets provider, unless PULUMI_CONFIG_PASSPHRASE is set. */
  readonly passphraseFile?: string;
  /** Kubeconfig for stacks that name no cluster (the embedded local cluster's). */
  readonly defaultKubeconfigPath?: string;
}

/** Writes the work directory's Pulumi.yaml; call once before opening stacks in parallel. */
export function prepareWorkDir(settings: WorkspaceSettings): void {
  writeProjectFile(settings.workDir);
}

/** Opens (creating on the backend if needed) the stack of `entry`. */
export async function openCatalogStack(
  entry: StackEntry,
  settings: WorkspaceSettings,
  env: Readonly<Record<string, string>> = {},
): Promise<Stack> {
  const source = readStackFile(path.join(settings.projectDir, `Pulumi.${entry.name}.yaml`)) ?? {};
  writeStackFile(settings.workDir, entry.name, source);
  return openStack({
    stackName: entry.name,
    workDir: settings.workDir,
    backendUrl: settings.backendUrl,
    ...(settings.passphraseFile === undefined ? {} : { passphraseFile: settings.passphraseFile }),
    ...(entry.hasKubeconfig || settings.defaultKubeconfigPath === undefined
      ? {}
      : { kubeconfigPath: settings.defaultKubeconfigPath }),
    env,
  });
}
