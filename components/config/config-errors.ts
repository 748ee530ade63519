/**
 * One aggregated, readable configuration error: every problem with its config path, what was
 * received and what is allowed. Never a stack trace, never a partial list.
 */
import type { z } from "zod";

/** One problem in the stack configuration. */
export interface ConfigProblem {
  /** Config path, e.g. `aios-infra:cluster.nodes.nodeData[1].id`. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value that was received, rendered for humans. */
  readonly received: string;
}

/** Thrown (at preview, before anything is touched) when the stack configuration is invalid. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
    // The message says everything; a stack trace would only bury it.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Renders a zod path as a config path: the first element is the config key in the project's
 * namespace, the rest its properties: `aios-infra:cluster.nodes.nodeData[2].id`.
 */
export function renderPath(namespace: string, path: readonly PropertyKey[]): string {
  const [key, ...rest] = path;
  return rest.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    key === undefined ? namespace : `${namespace}:${String(key)}`,
  );
}

/** Renders a received value briefly: JSON, truncated; `undefined` as "nothing". */
export function renderReceived(value: unknown): string {
  if (value === undefined) {
    return "nothing";
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? `a ${typeof value}`;
  } catch {
    text = typeof value === "bigint" ? `${value}n` : `an unserialisable ${typeof value}`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Turns zod issues (parsed with `reportInput: true`) of a namespace's config into problems. */
export function problemsFromZod(
  namespace: string,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((k) => ({
        path: renderPath(namespace, [...issue.path, k]),
        message: "is not a known setting; remove it or check its spelling",
        received: renderReceived(issue.input?.[k]),
      }));
    }
    if (issue.code === "invalid_key") {
      // The key's own problem (e.g. its pattern's message) is more useful than "invalid key".
      return [
        {
          path: renderPath(namespace, issue.path),
          message: issue.issues.map((i) => i.message).join("; "),
          received: renderReceived(issue.input),
        },
      ];
    }
    const missing = issue.code === "invalid_type" && issue.input === undefined;
    return [
      {
        path: renderPath(namespace, issue.path),
        message: missing ? `is required (${issue.expected})` : issue.message,
        received: renderReceived(issue.input),
      },
    ];
  });
}

/** The aggregated message. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message} (received ${p.received})`);
  const n = problems.length;
  return [
    `invalid stack configuration (${n} problem${n === 1 ? "" : "s"}):`,
    ...lines,
    "Fix these values in Pulumi.<stack>.yaml (or with `pulumi config set`) and run again.",
  ].join("\n");
}
