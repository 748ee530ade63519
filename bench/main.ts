/**
 * `npm run bench`: how fast the program evaluates, previews and deploys, against the kubectl
 * floor, and how its cost grows with the number of blocks. Prints a table (medians of `--runs`
 * runs with min and max) and writes it, with every raw measurement, to a JSON file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { clusterBench, type ClusterRun } from "./cluster-bench";
import { initContainerBench, type InitContainerRun } from "./init-container-bench";
import { programBench, type ProgramRun } from "./program-eval";
import {
  clusterFigures,
  formatTable,
  initContainerFigures,
  machine,
  programFigures,
  type BenchReport,
} from "./report";

const PARTS = ["program", "cluster", "init-container"] as const;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`must be a positive integer, got '${value}'`);
  }
  return n;
}

function sizeList(value: string): number[] {
  return value.split(",").map((v) => positiveInt(v.trim()));
}

interface Options {
  readonly runs: number;
  readonly sizes: number[];
  readonly only?: (typeof PARTS)[number][];
  readonly out: string;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command("bench")
    .description("Benchmarks of the aios-infra program (see the README's Benchmarks section)")
    .option("--runs <n>", "runs of every measurement (the median is reported)", positiveInt, 3)
    .option("--sizes <list>", "block counts of the program benchmark", sizeList, [1, 10, 100, 1000])
    .addOption(
      new Option("--only <part...>", "run only these parts").choices(PARTS as unknown as string[]),
    )
    .option("--out <file>", "where the JSON report goes", "bench/results/latest.json")
    .parse(argv, { from: "user" });
  const opts = program.opts<Options>();
  const parts = opts.only ?? [...PARTS];
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const startedAt = new Date().toISOString();
  const raw = {
    program: [] as ProgramRun[],
    cluster: [] as ClusterRun[],
    initContainer: [] as InitContainerRun[],
  };
  if (parts.includes("program")) {
    raw.program = programBench(opts.sizes, opts.runs, log);
  }
  if (parts.includes("cluster")) {
    raw.cluster = await clusterBench(opts.runs, log);
  }
  if (parts.includes("init-container")) {
    raw.initContainer = await initContainerBench(opts.runs, log);
  }
  const figures = [
    ...(raw.program.length > 0 ? programFigures(raw.program) : []),
    ...(raw.cluster.length > 0 ? clusterFigures(raw.cluster) : []),
    ...(raw.initContainer.length > 0 ? initContainerFigures(raw.initContainer) : []),
  ];
  const report: BenchReport = { startedAt, machine: machine(), figures, raw };
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  process.stdout.write(
    `${formatTable(figures)}\n\n${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}; report: ${opts.out}\n`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`[bench] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
