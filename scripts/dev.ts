/**
 * The developer entry behind `npm start` and its companions:
 *   start          start (or reuse) the embedded local cluster unless the stack has a kubeconfig,
 *                  then `pulumi up` the stack, showing Pulumi's progress and the outputs
 *   preview        `pulumi preview` of the stack
 *   destroy        `pulumi destroy` of the stack
 *   cluster-stop   stop the embedded local cluster and delete its data
 * Options: --stack <name> (default dev); for start and preview, --policy-pack <dir> runs a
 * CrossGuard pack (e.g. `policies`) with --policy-pack-config <file>, by default the pack's
 * config/<environment>.json for the stack's `aios-infra:environment` when it has one.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { CONFIG_NAMESPACE, ConfigError, parseStackConfig } from "../components";
import { LocalControlPlane, stopRun } from "./control-plane/local-control-plane";
import type { Stack } from "@pulumi/pulumi/automation";
import { AiosDouble } from "./aios-network/aios-double";
import {
  readStackFile,
  writeProjectFile,
  writeStackFile,
  type StackFile,
} from "../automation/pulumi/project-files";
import { resolvePassphraseFile } from "../automation/pulumi/passphrase";
import { policyOptions, type PolicyOptions } from "../automation/pulumi/policy-options";
import { openStack, PROJECT_DIR } from "../automation/pulumi/workspace";
import { cancelOnSignals, type Cancellation } from "../automation/cancel-signals";
import { exitCodeFor } from "../automation/exit-codes";
import { repairEarlierRuns, upRecordingInterrupts } from "../automation/recovery";
import { releaseStaleLocks } from "../automation/stale-locks";

const STATE_DIR = path.join(PROJECT_DIR, ".aios");
const CLUSTER_DIR = path.join(STATE_DIR, "cluster");
const COMMANDS = ["start", "preview", "destroy", "cluster-stop"] as const;
type Command = (typeof COMMANDS)[number];

const say = (message: string) => console.log(`[aios-infra] ${message}`);

/** The committed stack file. */
function readRepoStackFile(stack: string): StackFile {
  const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
  const doc = readStackFile(file);
  if (doc === undefined) {
    throw new Error(`no stack file ${file}; create it (see the README's configuration reference)`);
  }
  return doc;
}

/** The stack file's config section. */
function readStackConfig(stack: string): Record<string, unknown> {
  return readRepoStackFile(stack).config ?? {};
}

/**
 * The directory the CLI runs in: .aios/project, with the committed stack file's content, so the
 * CLI's rewrites (the salt it adds) stay out of the repository.
 */
function prepareWorkDir(stack: string): string {
  const dir = path.join(STATE_DIR, "project");
  writeProjectFile(dir);
  writeStackFile(dir, stack, readRepoStackFile(stack));
  return dir;
}

/** Where the stack deploys: its own kubeconfig, or the embedded cluster (fresh when just started). */
interface Target {
  readonly kubeconfigPath?: string;
  readonly fresh: boolean;
}

/** The target of the stack: none when the stack sets a kubeconfig, else the embedded cluster. */
async function clusterFor(stack: string, startIfMissing: boolean): Promise<Target> {
  const config = readStackConfig(stack);
  if (config[`${CONFIG_NAMESPACE}:kubeconfig`] !== undefined) {
    say(`stack ${stack} sets ${CONFIG_NAMESPACE}:kubeconfig: targeting that cluster`);
    return { fresh: false };
  }
  const environment = config[`${CONFIG_NAMESPACE}:environment`];
  if (typeof environment === "string" && environment !== "dev") {
    // The program refuses too; this avoids starting the embedded cluster for nothing.
    throw new Error(
      `stack ${stack} is ${environment}: it must set ${CONFIG_NAMESPACE}:kubeconfig (only dev runs on the embedded local cluster)`,
    );
  }
  const raw = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith(`${CONFIG_NAMESPACE}:`))
      .map(([k, v]) => [k.slice(CONFIG_NAMESPACE.length + 1), v]),
  );
  // A blocks-only stack deploys onto the cluster its cluster stack set up: no nodes of its own.
  const parsed = raw.clusterStack === undefined ? parseStackConfig(raw) : undefined;
  // Simulated nodes shaped like the cluster document: CPU, memory and GPUs.
  const nodes = (parsed?.nodes ?? []).map((n) => ({
    name: n.kubernetesNodeName,
    ...(n.vcpus > 0 ? { cpu: n.vcpus } : {}),
    ...(n.memoryMB > 0 ? { memoryMiB: n.memoryMB } : {}),
    gpus: n.gpuCount,
  }));
  const existing = LocalControlPlane.attach(CLUSTER_DIR);
  if (existing !== undefined) {
    say(`using the embedded local cluster at ${existing.server}`);
    const added = await existing.ensureNodes(nodes);
    if (added.length > 0) {
      say(`added simulated nodes: ${added.join(", ")}`);
    }
    return { kubeconfigPath: existing.kubeconfigPath, fresh: false };
  }
  if (!startIfMissing) {
    throw new Error("the embedded local cluster is not running; run `npm start` first");
  }
  say(
    "starting the embedded local cluster (etcd, kube-apiserver, controller manager, scheduler, kwok)",
  );
  const started = Date.now();
  const plane = await LocalControlPlane.start({
    dir: CLUSTER_DIR,
    persistent: true,
    nodes,
    log: (m) => say(`  ${m}`),
  });
  say(`local cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { kubeconfigPath: plane.kubeconfigPath, fresh: true };
}

/** The pack options for the stack's environment, saying which config file is used. */
function stackPolicyOptions(stackName: string, pack?: string, config?: string): PolicyOptions {
  const configured = readStackConfig(stackName)[`${CONFIG_NAMESPACE}:environment`];
  const options = policyOptions(typeof configured === "string" ? configured : "dev", pack, config);
  if (options.policyPacks !== undefined) {
    say(
      `policy pack ${options.policyPacks[0]}${options.policyPackConfigs === undefined ? "" : ` with ${options.policyPackConfigs[0]}`}`,
    );
  }
  return options;
}

async function run(
  command: Command,
  stackName: string,
  policies: PolicyOptions,
  signal: AbortSignal,
): Promise<void> {
  if (command === "cluster-stop") {
    say(
      stopRun(CLUSTER_DIR)
        ? "embedded local cluster stopped"
        : "no embedded local cluster was running",
    );
    return;
  }
  const target = await clusterFor(stackName, command === "start");
  const backendDir = path.join(STATE_DIR, "state");
  // As the automation CLI does: a killed earlier run's lock goes, with its half-written files.
  releaseStaleLocks(pathToFileURL(backendDir).href, stackName, say);
  const stack = await openStack({
    stackName,
    workDir: prepareWorkDir(stackName),
    backendDir,
    passphraseFile: resolvePassphraseFile(STATE_DIR, say),
    kubeconfigPath: target.kubeconfigPath,
  });
  const onOutput = (out: string) => process.stdout.write(out);
  const network = await startLocalNetwork(stackName);
  try {
    await runOperation(command, stack, { fresh: target.fresh, onOutput, policies, signal });
  } finally {
    await network?.stop();
  }
}

/** The dev network's address: where the stack file points the AIOS APIs to use the double. */
export const LOCAL_NETWORK = { host: "127.0.0.1", port: 30600 } as const;

/**
 * Starts the local double of the AIOS APIs when the stack's network points at it, so the dev
 * stack registers with a local network; its registrations persist in `.aios/aios-network.json`.
 */
async function startLocalNetwork(stackName: string): Promise<AiosDouble | undefined> {
  const network = readStackConfig(stackName)[`${CONFIG_NAMESPACE}:network`] as
    Record<string, unknown> | undefined;
  const local = `http://${LOCAL_NETWORK.host}:${LOCAL_NETWORK.port}`;
  if (!Object.values(network ?? {}).some((v) => typeof v === "string" && v.startsWith(local))) {
    return undefined;
  }
  try {
    const double = await AiosDouble.start({
      port: LOCAL_NETWORK.port,
      stateFile: path.join(STATE_DIR, "aios-network.json"),
    });
    say(`local AIOS network (API double) listening at ${double.url}`);
    return double;
  } catch (e) {
    throw new Error(
      `the stack's network points at the local AIOS double (${local}), which could not listen there: ${(e as Error).message}`,
    );
  }
}

/** How an operation of `dev.ts` runs. */
interface RunSettings {
  /** The cluster was just started empty: refresh before `up`. */
  readonly fresh: boolean;
  readonly onOutput: (out: string) => void;
  readonly policies: PolicyOptions;
  /** Aborted to have the engine cancel (SIGINT or SIGTERM to this process). */
  readonly signal: AbortSignal;
}

async function runOperation(
  command: Exclude<Command, "cluster-stop">,
  stack: Stack,
  { fresh, onOutput, policies, signal }: RunSettings,
): Promise<void> {
  switch (command) {
    case "start": {
      // A freshly started embedded cluster is empty: refresh first, so state recorded on an
      // earlier cluster does not hide what has to be created again.
      // As the automation CLI does: repair what an interrupted earlier run left in the state,
      // and record what this one leaves if it is interrupted (Ctrl-C) or fails.
      await repairEarlierRuns(stack, say, signal);
      await upRecordingInterrupts(
        stack,
        { onOutput, color: "auto", refresh: fresh, signal, ...policies },
        say,
      );
      say("done. Next:");
      console.log("  npm start                 # apply config changes again (idempotent)");
      console.log("  npm run destroy           # remove everything the stack created");
      console.log(
        "  npm run cluster:stop      # stop the embedded local cluster and delete its data",
      );
      return;
    }
    case "preview":
      await stack.preview({ onOutput, color: "auto", diff: true, signal, ...policies });
      return;
    case "destroy":
      await repairEarlierRuns(stack, say, signal);
      await stack.destroy({ onOutput, color: "auto", signal });
      say("destroyed; `npm run cluster:stop` stops the embedded local cluster");
      return;
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      stack: { type: "string", default: "dev" },
      "policy-pack": { type: "string" },
      "policy-pack-config": { type: "string" },
    },
  });
  const command = positionals[0] as Command | undefined;
  if (command === undefined || !COMMANDS.includes(command) || positionals.length > 1) {
    throw new Error(
      `usage: dev.ts <${COMMANDS.join("|")}> [--stack <name>] [--policy-pack <dir> [--policy-pack-config <file>]] (got '${positionals.join(" ")}')`,
    );
  }
  const pack = values["policy-pack"];
  if (pack !== undefined && command !== "start" && command !== "preview") {
    throw new Error(`--policy-pack applies to start and preview, not ${command}`);
  }
  cancellation = cancelOnSignals(say);
  await run(
    command,
    values.stack,
    stackPolicyOptions(values.stack, pack, values["policy-pack-config"]),
    cancellation.engines,
  );
}

/** Set once the command line is valid: a signal then cancels the operation gracefully. */
let cancellation: Cancellation | undefined;

main().catch((e: unknown) => {
  if (e instanceof ConfigError) {
    console.error(`[aios-infra] ${e.message}`);
    process.exit(2);
  }
  const signal = cancellation?.received();
  if (signal !== undefined) {
    say(`${signal}: cancelled; the stack is unlocked and \`npm start\` converges from here`);
    process.exit(exitCodeFor([], signal));
  }
  const err = e as { commandResult?: { stderr?: string }; message?: string };
  // Pulumi already printed its diagnostics through onOutput; add only the summary line.
  console.error(
    `[aios-infra] error: ${err.commandResult !== undefined ? "the Pulumi operation failed (see above)" : err.message}`,
  );
  process.exit(1);
});
