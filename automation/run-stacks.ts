/**
 * Runs one operation over the selected stacks: opens each on the backend, runs it in dependency
 * order with at most `concurrency` at once, streams each stack's progress with its name in front,
 * and turns every ending — success, drift, failure, a lock that stayed, cancellation — into an
 * outcome for the summary. Nothing here throws for a stack's failure.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { StackLockedError, type RetryPolicy } from "./conflict-retry";
import type { StackResult } from "./exit-codes";
import type { PolicyOptions } from "./pulumi/policy-options";
import { MUTATING, runOperation, type Operation } from "./operations";
import { prefixedWriter } from "./prefixed-output";
import { runGraph } from "./run-order";
import { schedule } from "./scheduler";
import type { StackEntry } from "./stack-catalog";
import { releaseStaleLocks } from "./stale-locks";
import { openCatalogStack, prepareWorkDir, type WorkspaceSettings } from "./stack-workspace";
import type { PolicyFinding, StackOutcome } from "./summary";

/** Environment variable that makes the Kubernetes provider force server-side apply conflicts. */
export const PATCH_FORCE_ENV = "PULUMI_K8S_ENABLE_PATCH_FORCE";

/** Arguments of {@link runStacks}. */
export interface RunStacksArgs {
  readonly operation: Operation;
  readonly stacks: readonly StackEntry[];
  readonly settings: WorkspaceSettings;
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  /** The CrossGuard packs of a stack (their config follows its environment). */
  readonly policies: (stack: StackEntry) => PolicyOptions;
  /** Where progress goes (whole lines). */
  readonly write: (text: string) => void;
  /** Aborted to cancel the engines (SIGINT through the SDK). */
  readonly signal: AbortSignal;
  /** Aborted when the run stops: nothing new starts. @default signal */
  readonly stop?: AbortSignal;
}

/** Every selected stack's outcome, in run order. */
export async function runStacks(args: RunStacksArgs): Promise<StackOutcome[]> {
  const { operation, stacks, settings } = args;
  prepareWorkDir(settings);
  const stop = args.stop ?? args.signal;
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const width = Math.max(...stacks.map((s) => s.name.length));
  const graph = runGraph(stacks, operation === "destroy");
  const order: string[] = [];
  const outcomes = await schedule<StackOutcome>({
    graph,
    concurrency: args.concurrency,
    unblocks: (r) => !MUTATING.includes(operation) || r === "succeeded" || r === "drifted",
    cancelled: () => stop.aborted,
    notRun: (stack, result, reason) => {
      order.push(stack);
      args.write(`${`[${stack}]`.padEnd(width + 2)} ${result}: ${reason}\n`);
      return { stack, operation, result, changes: {}, durationMs: 0, error: reason };
    },
    run: async (name) => {
      order.push(name);
      const out = prefixedWriter(name, args.write, width);
      const log = (line: string) => out(`${line}\n`);
      const started = Date.now();
      const policy: PolicyFinding[] = [];
      let stack: Stack | undefined;
      try {
        const entry = byName.get(name) as StackEntry;
        releaseStaleLocks(settings.backendUrl, name, log);
        stack = await openCatalogStack(entry, settings);
        const opened = stack;
        const result = await runOperation(operation, {
          stack: opened,
          onOutput: out,
          log,
          signal: args.signal,
          stop,
          policies: args.policies(entry),
          retry: args.retry,
          onEvent: (e) => {
            const p = e.policyEvent;
            if (p !== undefined) {
              policy.push({
                policy: p.policyName,
                level: String(p.enforcementLevel),
                ...(p.resourceUrn === undefined ? {} : { resource: p.resourceUrn }),
                message: p.message.trim(),
              });
            }
          },
          setForce: (force) => {
            if (force) {
              opened.workspace.envVars[PATCH_FORCE_ENV] = "true";
            } else {
              delete opened.workspace.envVars[PATCH_FORCE_ENV];
            }
          },
        });
        out.flush();
        const outcome: StackOutcome = {
          stack: name,
          operation,
          result: result.drifted ? "drifted" : "succeeded",
          changes: result.changes,
          durationMs: Date.now() - started,
          ...(result.outputs === undefined ? {} : { outputs: result.outputs }),
          ...(result.drift === undefined ? {} : { drift: result.drift }),
          ...(result.corrected === undefined ? {} : { corrected: result.corrected }),
          ...(policy.length === 0 ? {} : { policy }),
        };
        log(`${outcome.result} in ${(outcome.durationMs / 1000).toFixed(1)} s`);
        return outcome;
      } catch (e) {
        out.flush();
        const result: StackResult = stop.aborted
          ? "cancelled"
          : e instanceof StackLockedError
            ? "locked"
            : "failed";
        const mandatory = [
          ...new Set(policy.filter((p) => p.level === "mandatory").map((p) => p.policy)),
        ];
        const error =
          mandatory.length > 0
            ? `mandatory policy violations: ${mandatory.join(", ")}`
            : errorSummary(e);
        log(`${result}: ${error}`);
        return {
          stack: name,
          operation,
          result,
          changes: {},
          durationMs: Date.now() - started,
          error,
          ...(policy.length === 0 ? {} : { policy }),
        };
      }
    },
  });
  return order.map((n) => outcomes.get(n) as StackOutcome);
}

/**
 * A failure in a line or a few: for a failed CLI run, the `error:` lines of its stderr (its full
 * output was already streamed), else the message.
 */
export function errorSummary(e: unknown): string {
  const err = e as { commandResult?: { stderr?: unknown; code?: unknown }; stderr?: unknown };
  const stderr = err.commandResult?.stderr ?? err.stderr;
  if (typeof stderr === "string") {
    const errors = stderr
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^error:/i.test(l) || l.startsWith("* "));
    if (errors.length > 0) {
      return errors.join(" ").slice(0, 2000);
    }
    if (err.commandResult !== undefined) {
      return `the Pulumi engine stopped without reporting an error (exit code ${String(err.commandResult.code)}: killed?)`;
    }
  }
  return e instanceof Error ? e.message.split("\n")[0] : String(e);
}
