/** The scheduler's bound and order, what a failed prerequisite does, and the exit codes. */
import fc from "fast-check";
import { EXIT_CODES, exitCodeFor, type StackResult } from "../../automation/exit-codes";
import type { RunGraph } from "../../automation/run-order";
import { schedule } from "../../automation/scheduler";

interface Outcome {
  readonly result: StackResult;
  readonly reason?: string;
}

const tick = () => new Promise((r) => setImmediate(r));

/** Runs `graph`, recording start/finish order and the most tasks running at once. */
async function trace(
  graph: RunGraph,
  concurrency: number,
  results: Record<string, StackResult> = {},
  mutating = true,
) {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  const outcomes = await schedule<Outcome>({
    graph,
    concurrency,
    unblocks: (r) => !mutating || r === "succeeded",
    notRun: (_s, result, reason) => ({ result, reason }),
    run: async (stack) => {
      running++;
      peak = Math.max(peak, running);
      events.push(`start ${stack}`);
      await tick();
      await tick();
      running--;
      events.push(`end ${stack}`);
      return { result: results[stack] ?? "succeeded" };
    },
  });
  return { events, peak, outcomes };
}

const GRAPH: RunGraph = new Map([
  ["net", []],
  ["eu-1", ["net"]],
  ["us-1", ["net"]],
  ["blocks", ["eu-1"]],
]);

test("a stack starts only after the stacks it waits for ended", async () => {
  const { events } = await trace(GRAPH, 4);
  const at = (e: string) => events.indexOf(e);
  expect(at("start eu-1")).toBeGreaterThan(at("end net"));
  expect(at("start us-1")).toBeGreaterThan(at("end net"));
  expect(at("start blocks")).toBeGreaterThan(at("end eu-1"));
  // Independent stacks overlap.
  expect(at("start us-1")).toBeLessThan(at("end eu-1"));
});

test("never more than the bound at once, whatever the graph", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 4 }),
      async (n, bound) => {
        // n stacks, each waiting for the one two before it.
        const graph: RunGraph = new Map(
          Array.from({ length: n }, (_, i) => [`s${i}`, i >= 2 ? [`s${i - 2}`] : []]),
        );
        const { peak, outcomes } = await trace(graph, bound);
        expect(peak).toBeLessThanOrEqual(bound);
        expect(outcomes.size).toBe(n);
      },
    ),
    { numRuns: 40 },
  );
});

test("a failed prerequisite skips its dependents, naming it; others still run", async () => {
  const { outcomes, events } = await trace(GRAPH, 2, { "eu-1": "failed" });
  expect(outcomes.get("blocks")).toEqual({
    result: "skipped",
    reason: "its prerequisite eu-1 failed",
  });
  expect(outcomes.get("us-1")).toEqual({ result: "succeeded" });
  expect(events).not.toContain("start blocks");
});

test("a failure skips every level below it, whatever the names' order", async () => {
  // Dependents sort before their prerequisites: x-blocks → x-cluster → x-network.
  const graph: RunGraph = new Map([
    ["x-network", []],
    ["x-cluster", ["x-network"]],
    ["x-blocks", ["x-cluster"]],
  ]);
  const { outcomes, events } = await trace(graph, 2, { "x-network": "failed" });
  expect(outcomes.get("x-cluster")).toEqual({
    result: "skipped",
    reason: "its prerequisite x-network failed",
  });
  expect(outcomes.get("x-blocks")).toEqual({
    result: "skipped",
    reason: "its prerequisite x-cluster skipped",
  });
  expect(events).toEqual(["start x-network", "end x-network"]);
});

test("read-only operations run every stack whatever a prerequisite found", async () => {
  const { outcomes } = await trace(GRAPH, 2, { "eu-1": "failed" }, false);
  expect(outcomes.get("blocks")).toEqual({ result: "succeeded" });
});

test("after cancellation nothing new starts", async () => {
  let cancelled = false;
  const started: string[] = [];
  const outcomes = await schedule<Outcome>({
    graph: GRAPH,
    concurrency: 1,
    unblocks: (r) => r === "succeeded",
    cancelled: () => cancelled,
    notRun: (_s, result, reason) => ({ result, reason }),
    run: async (stack) => {
      started.push(stack);
      cancelled = true;
      await tick();
      return { result: "cancelled" };
    },
  });
  expect(started).toEqual(["net"]);
  expect([...outcomes.values()].map((o) => o.result)).toEqual([
    "cancelled",
    "cancelled",
    "cancelled",
    "cancelled",
  ]);
  expect(outcomes.get("us-1")?.reason).toBe("the run was cancelled before it started");
});

test.each<[StackResult[], "SIGINT" | "SIGTERM" | undefined, number]>([
  [["succeeded", "succeeded"], undefined, EXIT_CODES.ok],
  [["succeeded", "drifted"], undefined, EXIT_CODES.drift],
  [["drifted", "failed"], undefined, EXIT_CODES.failed],
  [["succeeded", "skipped"], undefined, EXIT_CODES.failed],
  [["locked", "drifted"], undefined, EXIT_CODES.locked],
  [["locked", "failed"], undefined, EXIT_CODES.failed],
  [["locked", "skipped"], undefined, EXIT_CODES.locked],
  [["cancelled", "succeeded"], undefined, EXIT_CODES.interrupted],
  [["failed"], "SIGINT", 130],
  [["succeeded"], "SIGTERM", 143],
])("results %j with signal %s exit %i", (results, signal, code) => {
  expect(exitCodeFor(results, signal)).toBe(code);
});

test("the documented codes", () => {
  expect(EXIT_CODES).toEqual({
    ok: 0,
    failed: 1,
    usage: 2,
    drift: 3,
    locked: 4,
    interrupted: 130,
    terminated: 143,
  });
});
