/**
 * Cheaper stack traces while the program registers resources. Pulumi's Node SDK takes a stack
 * trace for every resource (its source position, at unlimited depth) and for every promise it
 * tracks (`debuggablePromise`): a message-less `new Error().stack`. Under ts-node, which runs this
 * program, every frame of every such trace is source-mapped — more than half of the program's
 * evaluation time (bench: 300 blocks, 7.4 s → 3.4 s without it). Errors worth reading carry a
 * message; they keep their source-mapped traces. Message-less probes are formatted as V8 formats
 * them, so a resource's recorded source position names the transpiled line, not the TypeScript one.
 */

/** Marks the installed formatter, so that installing twice is harmless. */
const INSTALLED = Symbol.for("aios-infra.stackProbes");

type PrepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** V8's own rendering of a stack trace. */
export function plainStackTrace(error: Error, frames: readonly NodeJS.CallSite[]): string {
  const head = error.message === "" ? error.name : `${error.name}: ${error.message}`;
  // A V8 CallSite renders itself as V8's stack lines do ("fn (file:line:column)").
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return [head, ...frames.map((f) => `    at ${String(f)}`)].join("\n");
}

/** Whether an error is a stack probe: a plain `Error` without a message. */
export function isStackProbe(error: unknown): boolean {
  return error instanceof Error && error.constructor === Error && error.message === "";
}

/**
 * Formats stack probes plainly and leaves every other error to the installed formatter (ts-node's
 * source maps). Does nothing when no formatter is installed (plain Node: already plain).
 */
export function useFastStackProbes(): void {
  const installed = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace")?.value as
    (PrepareStackTrace & { [INSTALLED]?: true }) | undefined;
  if (installed === undefined || installed[INSTALLED] === true) {
    return;
  }
  const prepare: PrepareStackTrace & { [INSTALLED]?: true } = (error, frames) =>
    isStackProbe(error) ? plainStackTrace(error, frames) : installed.call(Error, error, frames);
  prepare[INSTALLED] = true;
  Error.prepareStackTrace = prepare;
}
