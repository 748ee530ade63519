/**
 * The command line of the automation CLI (commander): the commands, their options with defaults,
 * and validation that names the option, what it got and what it takes — before anything runs.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import ms from "ms";
import { ENVIRONMENTS } from "../components/config";
import { DEFAULT_RETRY } from "./conflict-retry";
import { OPERATIONS, type Operation } from "./operations";

/** What a command line asks for. */
export interface ParsedCommand {
  readonly operation: Operation | "list";
  /** Directory with the stack files. */
  readonly dir?: string;
  readonly environments: readonly string[];
  readonly clusters: readonly string[];
  readonly stacks: readonly string[];
  /** Stacks run at once. */
  readonly parallel: number;
  readonly backend?: string;
  readonly summary?: string;
  readonly retries: number;
  readonly policyPack?: string;
  readonly policyPackConfig?: string;
  readonly everyMs?: number;
  readonly iterations?: number;
  readonly maxCorrections: number;
  /** Confirms a destroy of staging or production stacks. */
  readonly yes: boolean;
}

/** A command line that cannot run; `exitCode` 0 for --help and --version. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** Default number of stacks run at once. */
export const DEFAULT_PARALLEL = 2;

const DESCRIPTIONS: Record<Operation | "list", string> = {
  list: "list the stacks the selection picks, with role, cluster and run order",
  preview: "show what `up` would change on each stack",
  up: "bring each stack to its declared state (network → cluster → blocks)",
  destroy: "remove everything each stack created (blocks → cluster → network)",
  refresh: "read each stack's resources back from the cluster into its state",
  drift: "report resources changed or deleted behind Pulumi's back (exit 3 when any)",
  outputs: "print each stack's outputs as JSON (secret values masked)",
  reconcile: "find drift and correct it with `up`; once, or every --every until stopped",
};

function count(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} takes an integer ≥ ${min}, got '${value}'`);
    }
    return n;
  };
}

function duration(value: string): number {
  // ms() returns undefined for text it cannot read (and a number for a bare number of ms).
  const parsed = /^\d+(\.\d+)?\s*[a-z]+$/i.test(value.trim())
    ? (ms(value as ms.StringValue) as number | undefined)
    : undefined;
  if (parsed === undefined || !Number.isFinite(parsed) || parsed < 1000) {
    throw new InvalidArgumentError(
      `--every takes a duration of at least 1s such as 30s, 5m or 1h, got '${value}'`,
    );
  }
  return parsed;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** The commander program; `action` receives each parsed command. */
export function buildProgram(action: (parsed: ParsedCommand) => void): Command {
  const program = new Command("aios-infra")
    .description(
      "Run aios-infra's stacks through the Pulumi Automation API: select by environment and cluster, run in dependency order with a bound on parallelism, summarise as JSON for pipelines.",
    )
    .exitOverride()
    .showHelpAfterError(false);
  for (const operation of ["list", ...OPERATIONS] as const) {
    const command = program
      .command(operation)
      .description(DESCRIPTIONS[operation])
      .option("--dir <path>", "directory with the stack files (default: this project)")
      .addOption(
        new Option("-e, --environment <env>", "select stacks of this environment (repeatable)")
          .choices(ENVIRONMENTS)
          .argParser((v: string, prev: string[] = []) => {
            if (!(ENVIRONMENTS as readonly string[]).includes(v)) {
              throw new InvalidArgumentError(
                `--environment takes one of ${ENVIRONMENTS.join(", ")}, got '${v}'`,
              );
            }
            return [...prev, v];
          })
          .default([]),
      )
      .option(
        "-c, --cluster <id>",
        "select the stacks of this cluster id (repeatable)",
        collect,
        [],
      )
      .option("-s, --stack <name>", "select this stack (repeatable)", collect, [])
      .option(
        "-p, --parallel <n>",
        `stacks run at once (default ${DEFAULT_PARALLEL})`,
        count("--parallel", 1),
        DEFAULT_PARALLEL,
      )
      .option(
        "--backend <url>",
        "state backend (default: $PULUMI_BACKEND_URL, else file://<dir>/.aios/state)",
      )
      .option("--summary <file>", "write the JSON summary to this file")
      .option(
        "--retries <n>",
        `retries of a stack locked by another update (default ${DEFAULT_RETRY.retries})`,
        count("--retries", 0),
        DEFAULT_RETRY.retries,
      );
    if (operation === "preview" || operation === "up" || operation === "reconcile") {
      command
        .option("--policy-pack <dir>", "run this CrossGuard pack (e.g. policies)")
        .option(
          "--policy-pack-config <file>",
          "the pack's config (default: <pack>/config/<environment>.json)",
        );
    }
    if (operation === "destroy") {
      command.option("-y, --yes", "confirm destroying staging or production stacks", false);
    }
    if (operation === "reconcile") {
      command
        .option(
          "--every <duration>",
          "run a pass every interval (30s, 5m, 1h) until stopped",
          duration,
        )
        .option("--iterations <n>", "stop after this many passes", count("--iterations", 1))
        .option(
          "--max-corrections <n>",
          "give up on a stack corrected this many passes in a row (default 3)",
          count("--max-corrections", 1),
          3,
        );
    }
    command.action((opts: Record<string, unknown>) => {
      action(toParsed(operation, opts));
    });
  }
  return program;
}

function toParsed(operation: Operation | "list", o: Record<string, unknown>): ParsedCommand {
  const str = (k: string) => (typeof o[k] === "string" ? o[k] : undefined);
  return {
    operation,
    ...(str("dir") === undefined ? {} : { dir: str("dir") }),
    environments: o.environment as string[],
    clusters: o.cluster as string[],
    stacks: o.stack as string[],
    parallel: o.parallel as number,
    ...(str("backend") === undefined ? {} : { backend: str("backend") }),
    ...(str("summary") === undefined ? {} : { summary: str("summary") }),
    retries: o.retries as number,
    ...(str("policyPack") === undefined ? {} : { policyPack: str("policyPack") }),
    ...(str("policyPackConfig") === undefined ? {} : { policyPackConfig: str("policyPackConfig") }),
    ...(typeof o.every === "number" ? { everyMs: o.every } : {}),
    ...(typeof o.iterations === "number" ? { iterations: o.iterations } : {}),
    maxCorrections: typeof o.maxCorrections === "number" ? o.maxCorrections : 3,
    yes: o.yes === true,
  };
}

/**
 * Parses `argv` (without node and script). Throws {@link UsageError} for a bad command line, and
 * with exit code 0 after printing help or the version.
 */
export function parseCommandLine(
  argv: readonly string[],
  output: { writeOut: (s: string) => void; writeErr: (s: string) => void } = {
    writeOut: (s) => process.stdout.write(s),
    writeErr: () => undefined,
  },
): ParsedCommand {
  let parsed: ParsedCommand | undefined;
  const program = buildProgram((p) => {
    parsed = p;
  });
  program.configureOutput(output);
  program.commands.forEach((c) => c.exitOverride().configureOutput(output));
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) {
        throw new UsageError(e.message, 0);
      }
      throw new UsageError(
        e.code === "commander.help"
          ? `a command is required: ${["list", ...OPERATIONS].join(", ")}`
          : e.message.replace(/^error: /, ""),
      );
    }
    throw e;
  }
  if (parsed === undefined) {
    throw new UsageError(`a command is required: ${["list", ...OPERATIONS].join(", ")}`);
  }
  if (parsed.policyPackConfig !== undefined && parsed.policyPack === undefined) {
    throw new UsageError("--policy-pack-config needs --policy-pack");
  }
  if (parsed.iterations !== undefined && parsed.everyMs === undefined && parsed.iterations > 1) {
    throw new UsageError(`--iterations ${parsed.iterations} needs --every (one pass without it)`);
  }
  return parsed;
}
