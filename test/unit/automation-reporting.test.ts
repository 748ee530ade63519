/**
 * What the CLI reports: drift from a refresh preview's events, the summary (secrets masked),
 * per-stack prefixed progress, and the reconcile loop's bounds.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { driftFromEvents, isBookkeeping } from "../../automation/drift";
import { prefixedWriter } from "../../automation/prefixed-output";
import { reconcileLoop } from "../../automation/reconcile-loop";
import { nonZeroChanges, summaryLines, type StackOutcome } from "../../automation/summary";

const DEPLOYMENT = "urn:pulumi:dev::aios-infra::w$kubernetes:apps/v1:Deployment::svc-deployment";
const SERVICE = "urn:pulumi:dev::aios-infra::w$kubernetes:core/v1:Service::svc-service";
const outputs = (
  op: string,
  urn: string,
  id: string,
  detailedDiff?: Record<string, unknown>,
): EngineEvent =>
  ({
    sequence: 1,
    timestamp: 1,
    resOutputsEvent: {
      metadata: {
        op,
        urn,
        type: urn.split("::")[2].split("$").pop(),
        provider: "",
        old: { id },
        detailedDiff,
      },
    },
  }) as unknown as EngineEvent;

test("deleted and changed resources are drift; bookkeeping-only changes are not", () => {
  const events = [
    outputs("update", DEPLOYMENT, "controllers/ctl", {
      "spec.replicas": { diffKind: "update", inputDiff: false },
      "status.availableReplicas": { diffKind: "update", inputDiff: false },
    }),
    outputs("delete", SERVICE, "controllers/ctl-svc"),
    outputs("update", `${SERVICE}-2`, "controllers/other", {
      "status.loadBalancer": { diffKind: "update" },
      "metadata.resourceVersion": { diffKind: "update" },
    }),
    outputs("same", `${SERVICE}-3`, "controllers/same"),
    outputs("update", "urn:pulumi:dev::aios-infra::pulumi:pulumi:Stack::aios-infra-dev", "", {
      x: {},
    }),
  ];
  expect(driftFromEvents(events)).toEqual([
    {
      urn: DEPLOYMENT,
      type: "kubernetes:apps/v1:Deployment",
      name: "svc-deployment",
      id: "controllers/ctl",
      change: "changed",
      properties: ["spec.replicas"],
    },
    {
      urn: SERVICE,
      type: "kubernetes:core/v1:Service",
      name: "svc-service",
      id: "controllers/ctl-svc",
      change: "deleted",
      properties: [],
    },
  ]);
});

test.each([
  ["status", true],
  ["status.replicas", true],
  ["metadata.managedFields", true],
  ["metadata.resourceVersion", true],
  ["spec.replicas", false],
  ["metadata.labels", false],
  ["statusCode", false],
])("property %s is bookkeeping: %s", (property, expected) => {
  expect(isBookkeeping(property)).toBe(expected);
});

test("zero counts are left out of the changes", () => {
  expect(nonZeroChanges({ create: 3, update: 0, same: 5, delete: undefined })).toEqual({
    create: 3,
    same: 5,
  });
});

test("summary lines name the result, changes and drift of each stack", () => {
  const stacks: StackOutcome[] = [
    {
      stack: "eu-1",
      operation: "drift",
      result: "drifted",
      changes: {},
      durationMs: 1250,
      drift: [
        {
          urn: SERVICE,
          type: "kubernetes:core/v1:Service",
          name: "svc-service",
          id: "controllers/ctl-svc",
          change: "deleted",
          properties: [],
        },
      ],
    },
    {
      stack: "blocks",
      operation: "drift",
      result: "skipped",
      changes: {},
      durationMs: 0,
      error: "its prerequisite eu-1 failed",
    },
  ];
  expect(
    summaryLines({ command: "drift", startedAt: "", durationMs: 0, exitCode: 1, stacks }),
  ).toEqual([
    "eu-1: drift drifted in 1.3 s; drift: Service controllers/ctl-svc deleted",
    "blocks: drift skipped in 0.0 s; its prerequisite eu-1 failed",
  ]);
});

test("progress is written in whole lines, each with its stack's name", () => {
  const written: string[] = [];
  const out = prefixedWriter("eu-1", (t) => written.push(t), 6);
  out("Updating (eu-1):\n  + Namespace cre");
  out("ating\r\n");
  out("Duration: 3s");
  expect(written).toEqual(["[eu-1]   Updating (eu-1):\n", "[eu-1]     + Namespace creating\n"]);
  out.flush();
  expect(written[2]).toBe("[eu-1]   Duration: 3s\n");
});

const pass = (corrected: number): StackOutcome[] => [
  {
    stack: "eu-1",
    operation: "reconcile",
    result: "succeeded",
    changes: {},
    durationMs: 1,
    corrected: Array.from({ length: corrected }, (_, i) => ({
      urn: `u${i}`,
      type: "t",
      name: `n${i}`,
      change: "deleted" as const,
      properties: [],
    })),
  },
];

test("one pass without --every; --iterations bounds a loop; waits between passes", async () => {
  const log: string[] = [];
  const waits: number[] = [];
  const signal = new AbortController().signal;
  let passes = 0;
  const run = (args: { everyMs?: number; iterations?: number }) =>
    reconcileLoop({
      ...args,
      pass: () => {
        passes++;
        return Promise.resolve(pass(0));
      },
      signal,
      log: (l) => log.push(l),
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
  await run({});
  expect(passes).toBe(1);
  expect(waits).toEqual([]);
  await run({ everyMs: 60_000, iterations: 3 });
  expect(passes).toBe(4);
  expect(waits).toHaveLength(2);
  expect(waits.every((w) => w > 59_000 && w <= 60_000)).toBe(true);
  expect(log).toContain("pass 3: 0 correction(s), 0 stack(s) not converged");
});

test("a stack corrected in every pass stops the loop as failed; a signal stops it", async () => {
  const controller = new AbortController();
  let passes = 0;
  const flapping = await reconcileLoop({
    everyMs: 1000,
    maxCorrections: 2,
    pass: () => {
      passes++;
      return Promise.resolve(pass(1));
    },
    signal: controller.signal,
    log: () => undefined,
    sleep: () => Promise.resolve(),
  });
  expect(passes).toBe(2);
  expect(flapping[0].result).toBe("failed");
  expect(flapping[0].error).toBe(
    "drift came back in 2 passes in a row (n0): something else manages these objects; stopping",
  );
  passes = 0;
  await reconcileLoop({
    everyMs: 1000,
    pass: () => {
      passes++;
      controller.abort();
      return Promise.resolve(pass(0));
    },
    signal: controller.signal,
    log: () => undefined,
    sleep: () => Promise.resolve(),
  });
  expect(passes).toBe(1);
});
