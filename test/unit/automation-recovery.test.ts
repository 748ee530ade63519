/**
 * Recovery from interrupted and concurrent runs: conflict retry with backoff, stale lock
 * detection (a dead process of this host), and the repair of pending creates.
 */
import fc from "fast-check";
import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import {
  backoffDelay,
  StackLockedError,
  withConflictRetry,
  type RetryPolicy,
} from "../../automation/conflict-retry";
import { pendingCreates, repairArgs } from "../../automation/pending-creates";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  lockFilePaths,
  lockHolders,
  locksAreStale,
  processAlive,
  releaseStaleStackLocks,
  removeStaleLockFiles,
  repairInterruptedStateWrites,
} from "../../automation/stale-locks";

const LOCKED = `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.
  file:///state/.pulumi/locks/organization/aios-infra/dev/7ba9.json?no_tmp_dir=true: created by root@ci-runner-7 (pid 16495) at 2026-11-23T22:54:46Z`;

/** The SDK's error for a locked stack (its constructor takes the CLI's result). */
const conflict = () =>
  new (ConcurrentUpdateError as unknown as new (r: unknown) => Error)({
    toString: () => LOCKED,
    stderr: LOCKED,
  });

const POLICY: RetryPolicy = { retries: 3, baseDelayMs: 1000, maxDelayMs: 4000 };

function harness(stale = false) {
  const waits: number[] = [];
  const said: string[] = [];
  let removed = 0;
  return {
    waits,
    said,
    removed: () => removed,
    hooks: {
      removeStaleLocks: () => {
        removed++;
        return true;
      },
      onRetry: (m: string) => said.push(m),
      sleep: (ms: number) => {
        waits.push(ms);
        return Promise.resolve();
      },
      isStale: () => stale,
    },
  };
}

test("a conflict is retried with growing waits until it clears", async () => {
  const h = harness();
  let calls = 0;
  const result = await withConflictRetry(
    () => (++calls < 3 ? Promise.reject(conflict()) : Promise.resolve("done")),
    POLICY,
    h.hooks,
  );
  expect(result).toBe("done");
  expect(calls).toBe(3);
  expect(h.waits).toHaveLength(2);
  expect(h.waits[0]).toBeGreaterThanOrEqual(500);
  expect(h.waits[0]).toBeLessThanOrEqual(1000);
  expect(h.waits[1]).toBeGreaterThanOrEqual(1000);
  expect(h.waits[1]).toBeLessThanOrEqual(2000);
  expect(h.said[0]).toMatch(/^the stack is locked by another update; retry 1\/3 in \d+\.\d s$/);
});

test("a lock that stays ends as StackLockedError naming the lock after every retry", async () => {
  const h = harness();
  let calls = 0;
  const run = withConflictRetry(
    () => {
      calls++;
      return Promise.reject(conflict());
    },
    POLICY,
    h.hooks,
  );
  await expect(run).rejects.toThrow(StackLockedError);
  await expect(run).rejects.toThrow(
    "the stack is locked by another update (3 retries): error: the stack is currently locked by 1 lock(s).",
  );
  expect(calls).toBe(4);
  expect(h.removed()).toBe(0);
});

test("a stale lock is removed once, without waiting", async () => {
  const h = harness(true);
  let calls = 0;
  await withConflictRetry(
    () => (++calls === 1 ? Promise.reject(conflict()) : Promise.resolve()),
    POLICY,
    h.hooks,
  );
  expect(h.removed()).toBe(1);
  expect(h.waits).toEqual([]);
  expect(h.said).toEqual([
    "the stack's lock was left by a process of this host that is gone: removed it",
  ]);
});

test("other errors are not retried", async () => {
  const h = harness();
  let calls = 0;
  await expect(
    withConflictRetry(
      () => {
        calls++;
        return Promise.reject(new Error("update failed"));
      },
      POLICY,
      h.hooks,
    ),
  ).rejects.toThrow("update failed");
  expect(calls).toBe(1);
});

test("backoff stays within [ceiling/2, ceiling] and the ceiling within the maximum", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 30 }),
      fc.double({ min: 0, max: 0.9999, noNaN: true }),
      (n, r) => {
        const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** n);
        const d = backoffDelay(POLICY, n, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(d).toBeLessThanOrEqual(ceiling);
      },
    ),
  );
});

test("lock holders are read from the backend's message", () => {
  expect(lockHolders(LOCKED)).toEqual([{ user: "root", host: "ci-runner-7", pid: 16495 }]);
});

test("a lock is stale only when taken on this host by a process that is gone", () => {
  expect(locksAreStale(LOCKED, "ci-runner-7", () => false)).toBe(true);
  expect(locksAreStale(LOCKED, "ci-runner-7", () => true)).toBe(false);
  expect(locksAreStale(LOCKED, "other-host", () => false)).toBe(false);
  expect(locksAreStale("error: something else", "ci-runner-7", () => false)).toBe(false);
  expect(processAlive(process.pid)).toBe(true);
});

const PENDING = {
  pending_operations: [
    {
      type: "creating",
      resource: {
        urn: "urn:pulumi:dev::aios-infra::x$kubernetes:apps/v1:Deployment::svc-deployment",
        type: "kubernetes:apps/v1:Deployment",
        inputs: { metadata: { name: "grpc-proxy", namespace: "controllers" } },
      },
    },
    {
      type: "creating",
      resource: {
        urn: "urn:pulumi:dev::aios-infra::kubernetes:core/v1:Namespace::aios-controllers",
        type: "kubernetes:core/v1:Namespace",
        inputs: { metadata: { name: "controllers" } },
      },
    },
    {
      type: "creating",
      resource: {
        urn: "urn:pulumi:dev::aios-infra::pulumi-nodejs:dynamic:Resource::registration",
        type: "pulumi-nodejs:dynamic:Resource",
        inputs: {},
      },
    },
    {
      type: "creating",
      resource: {
        urn: "urn:pulumi:dev::aios-infra::b$kubernetes:helm.sh/v3:Release::blocks-blk-release",
        type: "kubernetes:helm.sh/v3:Release",
        inputs: { name: "blk-vllm", namespace: "third-party", chart: "vllm" },
      },
    },
    {
      type: "updating",
      resource: { urn: "urn:pulumi:dev::aios-infra::kubernetes:core/v1:Service::svc" },
    },
  ],
};

test("pending creates: objects and Helm releases get their id, others none; updates are not creates", () => {
  expect(pendingCreates(PENDING)).toEqual([
    {
      urn: "urn:pulumi:dev::aios-infra::x$kubernetes:apps/v1:Deployment::svc-deployment",
      type: "kubernetes:apps/v1:Deployment",
      id: "controllers/grpc-proxy",
    },
    {
      urn: "urn:pulumi:dev::aios-infra::kubernetes:core/v1:Namespace::aios-controllers",
      type: "kubernetes:core/v1:Namespace",
      id: "controllers",
    },
    {
      urn: "urn:pulumi:dev::aios-infra::pulumi-nodejs:dynamic:Resource::registration",
      type: "pulumi-nodejs:dynamic:Resource",
    },
    {
      urn: "urn:pulumi:dev::aios-infra::b$kubernetes:helm.sh/v3:Release::blocks-blk-release",
      type: "kubernetes:helm.sh/v3:Release",
      id: "third-party/blk-vllm",
    },
  ]);
  expect(pendingCreates({})).toEqual([]);
});

test("the repairing refresh imports each object by id and clears the rest", () => {
  const args = repairArgs("dev", pendingCreates(PENDING));
  expect(args.slice(0, 9)).toEqual([
    "refresh",
    "--stack",
    "dev",
    "--yes",
    "--skip-preview",
    "--non-interactive",
    "--color",
    "never",
    "--import-pending-creates",
  ]);
  expect(args.slice(8)).toEqual([
    "--import-pending-creates",
    "urn:pulumi:dev::aios-infra::x$kubernetes:apps/v1:Deployment::svc-deployment",
    "--import-pending-creates",
    "controllers/grpc-proxy",
    "--import-pending-creates",
    "urn:pulumi:dev::aios-infra::kubernetes:core/v1:Namespace::aios-controllers",
    "--import-pending-creates",
    "controllers",
    "--import-pending-creates",
    "urn:pulumi:dev::aios-infra::b$kubernetes:helm.sh/v3:Release::blocks-blk-release",
    "--import-pending-creates",
    "third-party/blk-vllm",
    "--clear-pending-creates",
  ]);
});

test("only the named stale lock files are removed, each re-read first; live ones stay", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-locks-"));
  const lock = (name: string, pid: number, hostname = "ci-runner-7") => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ pid, hostname, username: "root" }));
    fs.writeFileSync(`${file}.attrs`, "{}");
    return file;
  };
  const message = (files: string[]) =>
    [
      `error: the stack is currently locked by ${files.length} lock(s).`,
      ...files.map(
        (f) =>
          `  ${pathToFileURL(f).href}?no_tmp_dir=true: created by root@ci-runner-7 (pid 1) at x`,
      ),
    ].join("\n");
  try {
    const dead = lock("dead.json", 111);
    const other = lock("other.json", 222);
    expect(lockFilePaths(message([dead]))).toEqual([dead]);
    // A lock taken since by a live run (pid 222) is never touched, even if named.
    const isAlive = (pid: number) => pid === 222;
    expect(removeStaleLockFiles(message([dead, other]), "ci-runner-7", isAlive)).toBe(false);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(`${dead}.attrs`)).toBe(false);
    expect(fs.existsSync(other)).toBe(true);
    // Another host's lock is never stale; a non-file backend names no file.
    const foreign = lock("foreign.json", 333, "elsewhere");
    expect(removeStaleLockFiles(message([foreign]), "ci-runner-7", () => false)).toBe(false);
    expect(fs.existsSync(foreign)).toBe(true);
    expect(
      removeStaleLockFiles(LOCKED.replace("file://", "s3://"), "ci-runner-7", () => false),
    ).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("with a stale lock, the half-written files of the killed save go too; sound ones stay", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "aios-backend-"));
  const at = (...parts: string[]) => {
    const file = path.join(root, ".pulumi", ...parts);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
  };
  const write = (file: string, text: string) => fs.writeFileSync(file, text);
  try {
    const lockFile = at("locks", "organization", "aios-infra", "edge", "7ba9.json");
    write(lockFile, JSON.stringify({ pid: 111, hostname: "ci-runner-7" }));
    const stacks = (name: string) => at("stacks", "aios-infra", name);
    write(stacks("edge.json"), '{"version":3}');
    write(stacks("edge.json.attrs"), ""); // truncated by the kill: reads fail with EOF
    write(stacks("edge.json.bak"), '{"version":3}');
    write(stacks("edge.json.bak.attrs"), '{"user.content_type":"application/json"}');
    write(stacks("edge.json.18eae5b4acc403c3.tmp"), '{"vers'); // never renamed
    write(stacks("edge-blocks.json.attrs"), ""); // another stack's: not this lock's business
    const history = at("history", "aios-infra", "edge", "edge-1.checkpoint.json.attrs");
    write(history, '{"user.cont');
    const kept = at("history", "aios-infra", "edge", "edge-1.checkpoint.json");
    write(kept, "{}");
    const named = `error: the stack is currently locked by 1 lock(s).\n  ${pathToFileURL(lockFile).href}?no_tmp_dir=true: created by root@ci-runner-7 (pid 111) at x`;

    expect(removeStaleLockFiles(named, "ci-runner-7", () => false)).toBe(true);
    const left = (dir: string) => fs.readdirSync(dir).sort();
    expect(left(path.dirname(stacks("x")))).toEqual([
      "edge-blocks.json.attrs",
      "edge.json",
      "edge.json.bak",
      "edge.json.bak.attrs",
    ]);
    expect(left(path.dirname(kept))).toEqual(["edge-1.checkpoint.json"]);
    expect(fs.existsSync(lockFile)).toBe(false);
    // Nothing else to repair the second time.
    expect(repairInterruptedStateWrites(lockFile)).toEqual([]);

    // Before a run reads the state, the stack's own stale locks go (live ones and other stacks' stay).
    const dead = at("locks", "organization", "aios-infra", "edge", "dead.json");
    const live = at("locks", "organization", "aios-infra", "edge", "live.json");
    const other = at("locks", "organization", "aios-infra", "edge-blocks", "dead.json");
    for (const [file, pid] of [
      [dead, 111],
      [live, 222],
      [other, 111],
    ] as const) {
      write(file, JSON.stringify({ pid, hostname: "ci-runner-7" }));
    }
    write(stacks("edge.json.attrs"), "");
    const released = releaseStaleStackLocks(
      root,
      "aios-infra",
      "edge",
      "ci-runner-7",
      (pid) => pid === 222,
    );
    expect(released).toEqual({ locks: [dead], repaired: [stacks("edge.json.attrs")] });
    expect([dead, live, other].map((f) => fs.existsSync(f))).toEqual([false, true, true]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a run cancelled before a step never starts it", async () => {
  const h = harness();
  const controller = new AbortController();
  controller.abort();
  let calls = 0;
  await expect(
    withConflictRetry(
      () => {
        calls++;
        return Promise.resolve();
      },
      POLICY,
      { ...h.hooks, signal: controller.signal },
    ),
  ).rejects.toThrow();
  expect(calls).toBe(0);
});
