/**
 * `npm test`: lint, format check, type check, then each jest project (unit, contract, e2e) in a
 * process of its own.
 * Ends with one plain line `N passed, N failed` taken from jest's --json results (failed counts
 * also each failed check and each suite that failed to run); exits non-zero when anything failed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../automation/pulumi/workspace";

interface Step {
  readonly name: string;
  readonly cmd: string;
  readonly args: readonly string[];
}

const bin = (name: string) => path.join(PROJECT_DIR, "node_modules", ".bin", name);

const CHECKS: readonly Step[] = [
  { name: "lint", cmd: bin("eslint"), args: ["--max-warnings=0", "."] },
  { name: "format", cmd: bin("prettier"), args: ["--check", "."] },
  { name: "types", cmd: bin("tsc"), args: ["--noEmit", "-p", "tsconfig.json"] },
];

function runStep(step: Step): boolean {
  console.log(`[aios-infra] ${step.name}: ${path.basename(step.cmd)} ${step.args.join(" ")}`);
  const started = Date.now();
  const res = spawnSync(step.cmd, step.args, { cwd: PROJECT_DIR, stdio: "inherit" });
  const ok = res.status === 0;
  const how = ok
    ? "ok"
    : `FAILED (exit ${res.status ?? "none"}${res.signal === null ? "" : `, signal ${res.signal}`})`;
  console.log(
    `[aios-infra] ${step.name}: ${how} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return ok;
}

interface JestJson {
  numPassedTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  numTotalTests: number;
}

/** The jest projects, each run in a process of its own (see main). */
const PROJECTS = ["unit", "contract", "e2e"] as const;

/** Runs one jest project; its results, or zeros with one runtime error when it wrote none. */
function runProject(project: string): { ok: boolean; summary: JestJson } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-jest-"));
  const results = path.join(dir, "results.json");
  const ok = runStep({
    name: `jest ${project}`,
    cmd: bin("jest"),
    // --forceExit: processes the e2e tier starts (engines, providers) must not keep jest waiting
    // once every result is in.
    args: [
      "--selectProjects",
      project,
      "--runInBand",
      "--forceExit",
      "--json",
      `--outputFile=${results}`,
      ...process.argv.slice(2),
    ],
  });
  const summary: JestJson = fs.existsSync(results)
    ? (JSON.parse(fs.readFileSync(results, "utf8")) as JestJson)
    : { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 1, numTotalTests: 0 };
  fs.rmSync(dir, { recursive: true, force: true });
  return { ok, summary };
}

function main(): number {
  const failedChecks = CHECKS.filter((step) => !runStep(step)).map((s) => s.name);
  // One jest process per project: a single run-in-band process over every tier grew past the
  // machine's 24 GiB (the e2e tier runs Pulumi programs in-process) and was OOM-killed.
  const runs = PROJECTS.map(runProject);
  const summary = runs.reduce<JestJson>(
    (sum, r) => ({
      numPassedTests: sum.numPassedTests + r.summary.numPassedTests,
      numFailedTests: sum.numFailedTests + r.summary.numFailedTests,
      numRuntimeErrorTestSuites:
        sum.numRuntimeErrorTestSuites + r.summary.numRuntimeErrorTestSuites,
      numTotalTests: sum.numTotalTests + r.summary.numTotalTests,
    }),
    { numPassedTests: 0, numFailedTests: 0, numRuntimeErrorTestSuites: 0, numTotalTests: 0 },
  );
  const jestOk = runs.every((r) => r.ok);
  if (failedChecks.length > 0) {
    console.log(`[aios-infra] failed checks: ${failedChecks.join(", ")}`);
  }
  if (summary.numRuntimeErrorTestSuites > 0) {
    console.log(`[aios-infra] ${summary.numRuntimeErrorTestSuites} test suite(s) failed to run`);
  }
  // A failed check and a suite that could not run count as failures, so a broken run never
  // reads "0 failed".
  const failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites + failedChecks.length;
  console.log(`${summary.numPassedTests} passed, ${failed} failed`);
  return failedChecks.length === 0 && jestOk && summary.numTotalTests > 0 ? 0 : 1;
}

process.exit(main());
