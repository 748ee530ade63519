/** The bench stack as the program renders it (under the mocks, in a child process). */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

/** A Kubernetes object as `kubectl apply` takes it. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/** What the program declares for a stack with some blocks. */
export interface Rendering {
  readonly objects: RenderedObject[];
  /** Each init container's lifecycle inputs (the dynamic resource's inputs). */
  readonly initContainers: Record<string, unknown>[];
}

/** Runs a bench child script (`bench/<script>`) with ts-node and returns its stdout. */
export function runChild(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return execFileSync(
    process.execPath,
    ["-r", "ts-node/register", path.join(__dirname, script), ...args],
    {
      encoding: "utf8",
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", ...env },
      // The runtime's leak report goes to stderr on exit; it is not a failure.
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
}

/** The bench stack with `blocks` blocks, rendered. */
export function renderBenchStack(blocks: number): Rendering {
  return JSON.parse(runChild("render-child.ts", [String(blocks)])) as Rendering;
}
