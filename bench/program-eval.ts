/**
 * Program evaluation under the Pulumi mocks for growing numbers of blocks: wall time, resources
 * registered per second and peak memory, each measurement in a fresh process.
 */
import { runChild } from "./render";

/** One measurement. */
export interface ProgramRun {
  readonly blocks: number;
  readonly wallMs: number;
  readonly registrations: number;
  readonly peakRssMB: number;
}

/** Measures each size `runs` times, sizes interleaved so that drift hits every size alike. */
export function programBench(
  sizes: readonly number[],
  runs: number,
  log: (line: string) => void,
): ProgramRun[] {
  const out: ProgramRun[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const blocks of sizes) {
      const result = JSON.parse(
        runChild("program-eval-child.ts", [String(blocks)]).trim(),
      ) as ProgramRun;
      log(`program run ${run}/${runs}, ${blocks} blocks: ${Math.round(result.wallMs)} ms`);
      out.push(result);
    }
  }
  return out;
}
