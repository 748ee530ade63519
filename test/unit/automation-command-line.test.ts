/** The automation CLI's command line: defaults, repeatable selection, and refusals naming the flag. */
import { DEFAULT_PARALLEL, parseCommandLine, UsageError } from "../../automation/command-line";
import { DEFAULT_RETRY } from "../../automation/conflict-retry";

const quiet = { writeOut: () => undefined, writeErr: () => undefined };
const parse = (...argv: string[]) => parseCommandLine(argv, quiet);
const refusal = (...argv: string[]): UsageError => {
  try {
    parse(...argv);
  } catch (e) {
    if (e instanceof UsageError) {
      return e;
    }
    throw e;
  }
  throw new Error(`accepted: ${argv.join(" ")}`);
};

test("defaults: every stack, two at once, default retries, no pack, one reconcile pass", () => {
  expect(parse("up")).toEqual({
    operation: "up",
    environments: [],
    clusters: [],
    stacks: [],
    parallel: DEFAULT_PARALLEL,
    retries: DEFAULT_RETRY.retries,
    maxCorrections: 3,
    yes: false,
  });
});

test("selection flags repeat and combine; short forms work", () => {
  const parsed = parse(
    "drift",
    "-e",
    "staging",
    "--environment",
    "production",
    "-c",
    "eu-1",
    "--cluster",
    "us-1",
    "-s",
    "a",
    "--stack",
    "b",
    "-p",
    "4",
    "--summary",
    "out/summary.json",
    "--retries",
    "0",
    "--dir",
    "/tmp/project",
    "--backend",
    "file:///tmp/state",
  );
  expect(parsed).toMatchObject({
    operation: "drift",
    environments: ["staging", "production"],
    clusters: ["eu-1", "us-1"],
    stacks: ["a", "b"],
    parallel: 4,
    summary: "out/summary.json",
    retries: 0,
    dir: "/tmp/project",
    backend: "file:///tmp/state",
  });
});

test("reconcile reads --every as a duration and bounds", () => {
  expect(
    parse("reconcile", "--every", "5m", "--iterations", "3", "--max-corrections", "2"),
  ).toMatchObject({ everyMs: 300_000, iterations: 3, maxCorrections: 2 });
  expect(parse("reconcile", "--every", "30s")).toMatchObject({ everyMs: 30_000 });
  expect(parse("reconcile", "--every", "1h").everyMs).toBe(3_600_000);
});

test("--policy-pack passes through on preview, up and reconcile only", () => {
  expect(parse("up", "--policy-pack", "policies")).toMatchObject({ policyPack: "policies" });
  expect(
    parse("preview", "--policy-pack", "policies", "--policy-pack-config", "p.json"),
  ).toMatchObject({ policyPack: "policies", policyPackConfig: "p.json" });
  expect(refusal("destroy", "--policy-pack", "policies").message).toContain(
    "unknown option '--policy-pack'",
  );
  expect(refusal("up", "--policy-pack-config", "p.json").message).toBe(
    "--policy-pack-config needs --policy-pack",
  );
});

test.each([
  [["up", "--parallel", "0"], "--parallel takes an integer ≥ 1, got '0'"],
  [["up", "--parallel", "two"], "--parallel takes an integer ≥ 1, got 'two'"],
  [["up", "--retries", "-1"], "--retries takes an integer ≥ 0, got '-1'"],
  [["up", "-e", "prod"], "--environment takes one of dev, staging, production, got 'prod'"],
  [
    ["reconcile", "--every", "soon"],
    "--every takes a duration of at least 1s such as 30s, 5m or 1h, got 'soon'",
  ],
  [
    ["reconcile", "--every", "500ms"],
    "--every takes a duration of at least 1s such as 30s, 5m or 1h, got '500ms'",
  ],
  [["reconcile", "--iterations", "2"], "--iterations 2 needs --every (one pass without it)"],
  [["deploy"], "unknown command 'deploy'"],
])("%j is refused with exit code 2: %s", (argv, message) => {
  const e = refusal(...argv);
  expect(e.exitCode).toBe(2);
  expect(e.message).toContain(message);
});

test("no command is a usage error; --help exits 0", () => {
  expect(refusal().exitCode).toBe(2);
  expect(refusal().message).toBe(
    "a command is required: list, preview, up, destroy, refresh, drift, outputs, reconcile",
  );
  expect(refusal("--help").exitCode).toBe(0);
  expect(refusal("up", "--help").exitCode).toBe(0);
});

test("destroy takes --yes", () => {
  expect(parse("destroy").yes).toBe(false);
  expect(parse("destroy", "--yes").yes).toBe(true);
  expect(parse("destroy", "-y").yes).toBe(true);
});
