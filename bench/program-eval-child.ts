/**
 * One measurement of program evaluation under the Pulumi mocks (no engine, no cluster): a cluster
 * stack with `argv[2]` blocks. Prints one JSON line: wall time from calling the program to its last
 * registration, registrations, and the process's peak RSS. Run by program-eval.ts, one process
 * per measurement so that peak memory is the program's alone.
 */
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { recordRegistrations, setStackConfig } from "../test/support/mocks";
import { benchStackConfig } from "./bench-stack";
import { runChildMain } from "./child-process";

async function main(): Promise<void> {
  const blocks = Number(process.argv[2]);
  const registrations = recordRegistrations();
  setStackConfig(benchStackConfig(blocks));
  // Loading (and compiling) the program is not part of its evaluation.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../index") as () => Promise<Record<string, unknown>>;
  const start = performance.now();
  const outputs = await program();
  await new Promise((resolve) => pulumi.output(outputs).apply(resolve));
  await pulumi.runtime.awaitStackRegistrations();
  const wallMs = performance.now() - start;
  process.stdout.write(
    `${JSON.stringify({
      blocks,
      wallMs,
      registrations: registrations.length,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

runChildMain(main);
