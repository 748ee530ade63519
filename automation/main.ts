/**
 * The automation CLI: `npm run aios -- <command> [options]` (see `--help` and the README).
 * Parses the command line, picks the stacks, runs the command and exits with a documented code.
 * The first SIGINT or SIGTERM cancels gracefully: nothing new starts, running engines get SIGINT,
 * finish their in-flight steps and unlock their stacks. A second one exits at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalControlPlane } from "../scripts/control-plane/local-control-plane";
import { resolvePassphraseFile } from "./pulumi/passphrase";
import { policyOptions } from "./pulumi/policy-options";
import { PROJECT_DIR } from "./pulumi/workspace";
import { parseCommandLine, UsageError, type ParsedCommand } from "./command-line";
import { DEFAULT_RETRY } from "./conflict-retry";
import { cancelOnSignals } from "./cancel-signals";
import { EXIT_CODES, exitCodeFor } from "./exit-codes";
import { reconcileLoop } from "./reconcile-loop";
import { runGraph, waves } from "./run-order";
import { runStacks } from "./run-stacks";
import { describeSelection, selectStacks, SelectionError } from "./selection";
import { loadCatalog, type StackEntry } from "./stack-catalog";
import type { WorkspaceSettings } from "./stack-workspace";
import { summaryLines, type Correction, type RunSummary, type StackOutcome } from "./summary";

const say = (line: string) => process.stderr.write(`[aios-infra] ${line}\n`);

/** Settings of the stacks' workspaces for this command line. */
function workspaceSettings(cmd: ParsedCommand, stacks: readonly StackEntry[]): WorkspaceSettings {
  const projectDir = path.resolve(cmd.dir ?? PROJECT_DIR);
  const stateDir = path.join(projectDir, ".aios");
  const fromEnv = process.env.PULUMI_BACKEND_URL;
  const backendUrl =
    cmd.backend ??
    (fromEnv !== undefined && fromEnv !== "" ? fromEnv : `file://${path.join(stateDir, "state")}`);
  if (backendUrl.startsWith("file://")) {
    fs.mkdirSync(backendUrl.slice("file://".length), { recursive: true });
  }
  // Dev stacks that name no cluster use the embedded local cluster of `npm start` when it runs.
  const embedded = stacks.some((s) => !s.hasKubeconfig)
    ? LocalControlPlane.attach(path.join(PROJECT_DIR, ".aios", "cluster"))
    : undefined;
  const passphraseFile = resolvePassphraseFile(stateDir, say);
  return {
    projectDir,
    workDir: path.join(stateDir, "project"),
    backendUrl,
    ...(passphraseFile === undefined ? {} : { passphraseFile }),
    ...(embedded === undefined ? {} : { defaultKubeconfigPath: embedded.kubeconfigPath }),
  };
}

/** Refusals that need no backend: clusters outside dev must be named; destroy needs --yes there. */
function checkStacks(cmd: ParsedCommand, stacks: readonly StackEntry[]): void {
  const unnamed = stacks.filter((s) => s.environment !== "dev" && !s.hasKubeconfig);
  if (unnamed.length > 0 && cmd.operation !== "list" && cmd.operation !== "outputs") {
    throw new UsageError(
      `aios-infra:kubeconfig is required outside dev; not set on ${unnamed.map((s) => `${s.name} (${s.environment})`).join(", ")}: set it with \`pulumi config set --secret aios-infra:kubeconfig -- "$(cat kubeconfig.yaml)" --stack <name>\``,
    );
  }
  const guarded = stacks.filter((s) => s.environment !== "dev");
  if (cmd.operation === "destroy" && guarded.length > 0 && !cmd.yes) {
    throw new UsageError(
      `destroy of ${guarded.map((s) => `${s.name} (${s.environment})`).join(", ")} needs --yes`,
    );
  }
}

/** Prints the selection and its run order. */
function list(stacks: readonly StackEntry[]): void {
  for (const s of stacks) {
    console.log(
      `${s.name}\t${s.environment}\t${s.role}\tcluster ${s.clusterId ?? "-"}\tafter ${s.dependsOn.join(", ") || "-"}`,
    );
  }
  console.log(
    `run order: ${waves(runGraph(stacks, false))
      .map((w) => w.join(" + "))
      .join(" → ")}`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let cmd: ParsedCommand;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.exitCode !== 0) {
        say(`error: ${e.message} (see --help)`);
      }
      return e.exitCode;
    }
    throw e;
  }
  const startedAt = new Date();
  let stacks: StackEntry[];
  let settings: WorkspaceSettings;
  try {
    stacks = selectStacks(loadCatalog(path.resolve(cmd.dir ?? PROJECT_DIR)), cmd);
    if (cmd.operation === "list") {
      list(stacks);
      return EXIT_CODES.ok;
    }
    checkStacks(cmd, stacks);
    for (const s of stacks) {
      policyOptions(s.environment, cmd.policyPack, cmd.policyPackConfig);
    }
    settings = workspaceSettings(cmd, stacks);
  } catch (e) {
    if (e instanceof UsageError || e instanceof SelectionError || e instanceof Error) {
      say(`error: ${e.message}`);
      return EXIT_CODES.usage;
    }
    throw e;
  }
  const operation = cmd.operation;
  say(
    `${operation} on ${stacks.map((s) => s.name).join(", ")} (${describeSelection(cmd)}; at most ${cmd.parallel} at once)`,
  );

  const cancellation = cancelOnSignals(say);

  const write = (text: string) => {
    (operation === "outputs" ? process.stderr : process.stdout).write(text);
  };
  const pass = () =>
    runStacks({
      operation,
      stacks,
      settings,
      concurrency: cmd.parallel,
      retry: { ...DEFAULT_RETRY, retries: cmd.retries },
      policies: (s) => policyOptions(s.environment, cmd.policyPack, cmd.policyPackConfig),
      write,
      signal: cancellation.engines,
      stop: cancellation.stop,
    });
  // A reconcile loop's record: every correction so far, and the pass the summary is of.
  const corrections: Correction[] = [];
  let lastPass = 0;
  const summarise = (outcomes: readonly StackOutcome[]): RunSummary => {
    const summary: RunSummary = {
      command: operation,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      exitCode: exitCodeFor(
        outcomes.map((o) => o.result),
        cancellation.received(),
      ),
      ...(operation === "reconcile" ? { iteration: lastPass, corrections } : {}),
      stacks: outcomes,
    };
    if (cmd.summary !== undefined) {
      fs.mkdirSync(path.dirname(path.resolve(cmd.summary)), { recursive: true });
      fs.writeFileSync(cmd.summary, `${JSON.stringify(summary, null, 2)}\n`);
    }
    return summary;
  };
  const onPass = (iteration: number, outcomes: readonly StackOutcome[]) => {
    lastPass = iteration;
    for (const o of outcomes.filter((x) => (x.corrected?.length ?? 0) > 0)) {
      const at = new Date().toISOString();
      corrections.push({ iteration, stack: o.stack, at, corrected: o.corrected ?? [] });
    }
    summarise(outcomes);
  };

  const outcomes =
    operation === "reconcile"
      ? await reconcileLoop({
          pass,
          ...(cmd.everyMs === undefined ? {} : { everyMs: cmd.everyMs }),
          ...(cmd.iterations === undefined ? {} : { iterations: cmd.iterations }),
          maxCorrections: cmd.maxCorrections,
          signal: cancellation.stop,
          log: say,
          onPass,
        })
      : await pass();
  const summary = summarise(outcomes);
  if (operation === "outputs") {
    console.log(
      JSON.stringify(
        Object.fromEntries(outcomes.map((o) => [o.stack, o.outputs ?? null])),
        null,
        2,
      ),
    );
  }
  summaryLines(summary).forEach((l) => say(l));
  say(`exit ${summary.exitCode}`);
  return summary.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    say(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(EXIT_CODES.failed);
  },
);
