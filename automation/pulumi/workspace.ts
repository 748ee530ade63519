/**
 * Opens a stack of this project through the Automation API, with the CLI and plugins the toolchain
 * step built, a file:// backend, and the program run in-process (inline). The inline program needs
 * no Node.js language host binary: the CLI talks to the language runtime the SDK serves itself.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";
// The program module only exports its function: importing it registers nothing.
import defaultProgram = require("../../index");
import {
  binaryPath,
  toolBinDir,
  toolchainCacheDir,
  toolVersion,
} from "../../scripts/toolchain/paths";

/** The repository root (holds Pulumi.yaml and index.ts). */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Arguments of {@link openStack}. */
export interface OpenStackArgs {
  /** Stack name, e.g. `dev`. */
  readonly stackName: string;
  /** Directory with Pulumi.yaml and Pulumi.<stack>.yaml. @default PROJECT_DIR */
  readonly workDir?: string;
  /** Directory of a file:// backend; one of `backendDir` and `backendUrl` is required. */
  readonly backendDir?: string;
  /** Backend URL (`file://…`, `s3://…`, …), used as given. */
  readonly backendUrl?: string;
  /**
   * File holding the passphrase of the stack's secrets provider. A PULUMI_CONFIG_PASSPHRASE in the
   * environment takes precedence, as it does for the CLI.
   */
  readonly passphraseFile?: string;
  /** Kubeconfig for the default cluster ($KUBECONFIG of the CLI and its providers). @default - inherited */
  readonly kubeconfigPath?: string;
  /** The program. @default - this project's index.ts */
  readonly program?: PulumiFn;
  /** Extra environment for the CLI. @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** PULUMI_HOME shared by every run on this machine, outside the clone. */
export function pulumiHome(): string {
  return path.join(toolchainCacheDir(), "pulumi-home");
}

/**
 * Installs the locally built provider plugins into PULUMI_HOME (no download; idempotent).
 * Returns PULUMI_HOME.
 */
export function installPlugins(home: string = pulumiHome()): string {
  const version = toolVersion("kubernetes-provider");
  const installed = path.join(home, "plugins", `resource-kubernetes-v${version}`);
  if (!fs.existsSync(path.join(installed, "pulumi-resource-kubernetes"))) {
    fs.mkdirSync(home, { recursive: true });
    execFileSync(
      binaryPath("pulumi"),
      [
        "plugin",
        "install",
        "resource",
        "kubernetes",
        version,
        "--file",
        binaryPath("pulumi-resource-kubernetes"),
      ],
      { env: { ...process.env, ...baseEnv(home) }, stdio: ["ignore", "ignore", "pipe"] },
    );
  }
  return home;
}

/** Creates a random passphrase file (mode 0600) unless it exists. */
export function ensurePassphraseFile(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(24).toString("base64url"), {
      mode: 0o600,
      flag: "wx",
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") {
      throw e;
    }
  }
  return file;
}

/** The environment every CLI invocation gets. */
export function baseEnv(home: string = pulumiHome()): Record<string, string> {
  const nodeBin = path.join(PROJECT_DIR, "node_modules", ".bin");
  // pulumi-resource-pulumi-nodejs (dynamic providers) ships in the npm package.
  const sdkDir = path.join(PROJECT_DIR, "node_modules", "@pulumi", "pulumi");
  // pulumi-analyzer-policy-nodejs: runs CrossGuard packs without the Node.js language host.
  const shimDir = path.join(PROJECT_DIR, "automation", "pulumi", "bin");
  return {
    PULUMI_HOME: home,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    PULUMI_CREDENTIAL_STORE: "plaintext",
    PATH: [nodeBin, sdkDir, shimDir, process.env.PATH ?? ""].join(path.delimiter),
    // The dynamic-provider host resolves @pulumi/pulumi and the modules a provider requires from
    // its working directory, which is the stack's (outside this tree under npm start and tests).
    NODE_PATH: path.join(PROJECT_DIR, "node_modules"),
  };
}

/** The URL of a file:// backend in `dir`, created if missing. */
function fileBackend(dir: string | undefined): string {
  if (dir === undefined) {
    throw new Error("openStack: give backendDir or backendUrl");
  }
  fs.mkdirSync(dir, { recursive: true });
  return `file://${path.resolve(dir)}`;
}

/** Opens (creating if needed) a stack whose program runs in this process. */
export async function openStack(args: OpenStackArgs): Promise<Stack> {
  const home = installPlugins();
  const backendUrl = args.backendUrl ?? fileBackend(args.backendDir);
  const envVars: Record<string, string> = {
    ...baseEnv(home),
    PULUMI_BACKEND_URL: backendUrl,
    ...(args.passphraseFile === undefined
      ? {}
      : { PULUMI_CONFIG_PASSPHRASE_FILE: path.resolve(args.passphraseFile) }),
    ...(args.kubeconfigPath === undefined ? {} : { KUBECONFIG: args.kubeconfigPath }),
    ...args.env,
  };
  if (args.kubeconfigPath !== undefined) {
    // The inline program runs in this process and reads the cluster too (the preview-time node
    // check), so it must see the same cluster as the CLI and its providers.
    process.env.KUBECONFIG = args.kubeconfigPath;
  }
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolBinDir("pulumi")) });
  const program: PulumiFn = args.program ?? defaultProgram;
  return LocalWorkspace.createOrSelectStack(
    { stackName: args.stackName, projectName: "aios-infra", program },
    { workDir: args.workDir ?? PROJECT_DIR, pulumiHome: home, envVars, pulumiCommand },
  );
}
