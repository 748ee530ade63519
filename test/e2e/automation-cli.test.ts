/**
 * The automation CLI end to end, as a pipeline runs it (its own process, exit codes, JSON
 * summary), on the local control plane: a cluster stack and a blocks stack on one file://
 * backend, the kubeconfig a Pulumi secret set with `pulumi config set --secret`.
 *   up → an object changed and one deleted behind Pulumi's back → `drift` exits 3 naming both →
 *   `reconcile` restores them → a lock held by a live process → exit 4 after retries →
 *   SIGTERM mid-`up` leaves the stacks unlocked and a re-run converges → a cancel that loses the
 *   answers of creates the server applied → the next `up` imports them → SIGKILL of the engine
 *   mid-`up` → the next `up` converges with nothing duplicated or orphaned → destroy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { EXIT_CODES } from "../../automation/exit-codes";
import { INTERRUPTED_MARK } from "../../automation/interrupted-creates";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { writeProjectFile, writeStackFile } from "../../automation/pulumi/project-files";
import {
  descendantPids,
  expectExit,
  enginePids,
  pulumi,
  runCli,
  startCli,
  waitForOutput,
  type CliRun,
} from "../support/automation-cli";
import { labelledObjects } from "../support/cluster-inventory";
import { startDelayingProxy } from "../support/delaying-proxy";
import { finishingBlock, minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const BLOCK = finishingBlock("blk-cli");

let plane: LocalControlPlane;
let kc: k8s.KubeConfig;
let dir: string;
let passphrase: string;
let backend: string;
let token: string;

const cli = (...args: string[]) => runCli(dir, passphrase, ...args);
const results = (run: CliRun) =>
  (run.summary?.stacks ?? []).map((s) => [s.stack, s.operation, s.result]);
const lockDir = () => path.join(backend, ".pulumi", "locks", "organization", "aios-infra", "edge");
const lockFiles = () =>
  fs.existsSync(lockDir()) ? fs.readdirSync(lockDir()).filter((f) => f.endsWith(".json")) : [];

const stateFile = () => path.join(backend, ".pulumi", "stacks", "aios-infra", "edge.json");

/**
 * The stack's state: Kubernetes objects as `Kind namespace/name`, pending operations, and the
 * creates recorded as interrupted.
 */
function state(): { objects: string[]; pending: number; interrupted: number } {
  const file = stateFile();
  const latest = (
    JSON.parse(fs.readFileSync(file, "utf8")) as {
      checkpoint: {
        latest?: {
          resources?: { type: string; id?: string; initErrors?: string[] }[];
          pending_operations?: unknown[];
        };
      };
    }
  ).checkpoint.latest;
  const objects = (latest?.resources ?? [])
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm"))
    .filter((r) => !r.type.startsWith("pulumi:"))
    .map((r) => `${r.type.split(":").pop() ?? ""} ${r.id ?? ""}`)
    .sort();
  const interrupted = (latest?.resources ?? []).filter((r) =>
    r.initErrors?.includes(INTERRUPTED_MARK),
  ).length;
  return { objects, pending: latest?.pending_operations?.length ?? 0, interrupted };
}

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  kc = plane.kubeConfig();
  token = (JSON.parse(plane.kubeconfig) as { users: { user: { token: string } }[] }).users[0].user
    .token;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-cli-"));
  backend = path.join(dir, ".aios", "state");
  fs.mkdirSync(backend, { recursive: true });
  passphrase = path.join(dir, "passphrase");
  fs.writeFileSync(passphrase, "e2e-passphrase", { mode: 0o600 });
  writeProjectFile(dir);
  writeStackFile(dir, "edge", {
    config: {
      "aios-infra:cluster": minimalCluster("edge", [["node-1"]]),
      "aios-infra:network": NETWORK,
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
    },
  });
  writeStackFile(dir, "edge-blocks", {
    config: {
      "aios-infra:clusterStack": "organization/aios-infra/edge",
      "aios-infra:blocks": [BLOCK],
    },
  });
  // As the README tells users: the kubeconfig goes in as a secret (encrypted in the stack file).
  for (const stack of ["edge", "edge-blocks"]) {
    pulumi(dir, backend, passphrase, ["stack", "init", stack]);
    pulumi(
      dir,
      backend,
      passphrase,
      ["config", "set", "--secret", "aios-infra:kubeconfig", "--stack", stack],
      plane.kubeconfig,
    );
  }
});

afterAll(() => {
  plane?.stop();
  if (dir !== undefined) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the kubeconfig is encrypted in the stack file; list shows the run order", async () => {
  const file = fs.readFileSync(path.join(dir, "Pulumi.edge.yaml"), "utf8");
  expect(token).not.toBe("");
  expect(file).not.toContain(token);
  expect(file).toMatch(/aios-infra:kubeconfig:\n\s+secure: /);
  const list = await cli("list");
  expectExit(list, EXIT_CODES.ok);
  expect(list.stdout).toContain("run order: edge → edge-blocks");
});

test("up runs the cluster stack, then the blocks stack; the summary masks nothing it need not", async () => {
  const before = fs.readFileSync(path.join(dir, "Pulumi.edge.yaml"), "utf8");
  const up = await cli("up");
  expectExit(up, EXIT_CODES.ok);
  expect(results(up)).toEqual([
    ["edge", "up", "succeeded"],
    ["edge-blocks", "up", "succeeded"],
  ]);
  const [edge, blocks] = up.summary?.stacks ?? [];
  expect(edge.changes.create).toBeGreaterThan(40);
  expect(edge.outputs?.clusterId).toBe("edge");
  expect(blocks.outputs?.blocks).toEqual({
    "blk-cli": { initStatus: "finish", urls: { server_url: "http://s:1" } },
  });
  // Progress is prefixed per stack; no secret reaches the output or the summary.
  expect(up.stdout).toMatch(/^\[edge\] {8}.*kubernetes:apps\/v1:Deployment/m);
  expect(up.stdout).toMatch(/^\[edge-blocks\] /m);
  expect(up.stdout + up.stderr + JSON.stringify(up.summary)).not.toContain(token);
  // The CLI works on copies: the project's stack file is untouched.
  expect(fs.readFileSync(path.join(dir, "Pulumi.edge.yaml"), "utf8")).toBe(before);
  expect(await labelledObjects(kc, "edge")).toContain("Deployment controllers/edge-controller");
});

test("--policy-pack passes through, at the stack's environment's level or the config given", async () => {
  // dev: unpinned images are advisory.
  const preview = await cli("preview", "--stack", "edge", "--policy-pack", "policies");
  expectExit(preview, EXIT_CODES.ok);
  expect(preview.stdout).toMatch(/^\[edge\] +Policy Packs run:/m);
  expect(preview.stdout).toContain("which is not pinned");
  expect(preview.summary?.stacks[0].policy?.[0]).toMatchObject({
    policy: "images-pinned",
    level: "advisory",
  });
  // production's levels make them mandatory: the preview fails.
  const strict = await cli(
    "preview",
    "--stack",
    "edge",
    "--policy-pack",
    "policies",
    "--policy-pack-config",
    "policies/config/production.json",
  );
  expectExit(strict, EXIT_CODES.failed);
  expect(results(strict)).toEqual([["edge", "preview", "failed"]]);
  expect(strict.summary?.stacks[0].error).toBe("mandatory policy violations: images-pinned");
  const findings = strict.summary?.stacks[0].policy ?? [];
  expect(findings.length).toBeGreaterThan(0);
  expect(findings.every((f) => f.policy === "images-pinned" && f.level === "mandatory")).toBe(true);
});

test("drift exits 3 naming the object changed and the one deleted behind Pulumi's back", async () => {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await apps.patchNamespacedDeployment(
    {
      name: "edge-controller",
      namespace: "controllers",
      body: [{ op: "replace", path: "/spec/replicas", value: 3 }],
    },
    k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
  );
  await core.deleteNamespacedService({ name: "edge-controller-svc", namespace: "controllers" });

  // Selected by cluster: the blocks stack belongs to its cluster stack's cluster.
  const drift = await cli("drift", "--cluster", "edge", "--environment", "dev");
  expectExit(drift, EXIT_CODES.drift);
  expect(results(drift)).toEqual([
    ["edge", "drift", "drifted"],
    ["edge-blocks", "drift", "succeeded"],
  ]);
  expect(
    drift.summary?.stacks[0].drift?.map((d) => [d.type, d.id, d.change, d.properties]),
  ).toEqual([
    ["kubernetes:apps/v1:Deployment", "controllers/edge-controller", "changed", ["spec.replicas"]],
    ["kubernetes:core/v1:Service", "controllers/edge-controller-svc", "deleted", []],
  ]);
  expect(drift.stderr).toContain("edge: drift drifted in");
  expect(drift.stderr).toContain(
    "drift: Deployment controllers/edge-controller changed [spec.replicas], Service controllers/edge-controller-svc deleted",
  );
  // Drift detection writes nothing: the object is still missing.
  await expect(
    core.readNamespacedService({ name: "edge-controller-svc", namespace: "controllers" }),
  ).rejects.toThrow();
});

test("a reconcile loop restores both in its first pass and finds nothing in its second", async () => {
  const reconcile = await cli("reconcile", "--every", "1s", "--iterations", "2");
  expectExit(reconcile, EXIT_CODES.ok);
  expect(results(reconcile)).toEqual([
    ["edge", "reconcile", "succeeded"],
    ["edge-blocks", "reconcile", "succeeded"],
  ]);
  expect(reconcile.summary?.iteration).toBe(2);
  expect(
    reconcile.summary?.corrections?.map((c) => [
      c.iteration,
      c.stack,
      c.corrected.map((d) => `${d.id} ${d.change}`),
    ]),
  ).toEqual([
    [1, "edge", ["controllers/edge-controller changed", "controllers/edge-controller-svc deleted"]],
  ]);
  expect(reconcile.stderr).toContain("pass 1: 2 correction(s), 0 stack(s) not converged");
  expect(reconcile.stderr).toContain("pass 2: 0 correction(s), 0 stack(s) not converged");
  expect(reconcile.stdout).toContain("[edge]        corrected 2 drifted resource(s)");
  const deployment = await kc
    .makeApiClient(k8s.AppsV1Api)
    .readNamespacedDeployment({ name: "edge-controller", namespace: "controllers" });
  expect(deployment.spec?.replicas).toBe(1);
  const service = await kc
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedService({ name: "edge-controller-svc", namespace: "controllers" });
  expect(service.spec?.type).toBe("NodePort");
  expectExit(await cli("drift"), EXIT_CODES.ok);
});

test("a stack locked by a live update: retried with backoff, then exit 4; nothing removed", async () => {
  fs.mkdirSync(lockDir(), { recursive: true });
  const lock = path.join(lockDir(), "held-by-test.json");
  fs.writeFileSync(
    lock,
    JSON.stringify({
      pid: process.pid,
      username: "test",
      hostname: os.hostname(),
      timestamp: new Date().toISOString(),
    }),
  );
  try {
    const refresh = await cli("refresh", "--stack", "edge", "--retries", "1");
    expectExit(refresh, EXIT_CODES.locked);
    expect(results(refresh)).toEqual([["edge", "refresh", "locked"]]);
    expect(refresh.stdout).toMatch(/the stack is locked by another update; retry 1\/1 in/);
    expect(refresh.summary?.stacks[0].error).toContain(`(pid ${process.pid})`);
    expect(fs.existsSync(lock)).toBe(true);
  } finally {
    fs.rmSync(lock);
  }
});

test("SIGTERM mid-up cancels gracefully: exit 143, stacks unlocked, a re-run converges", async () => {
  expectExit(await cli("destroy"), EXIT_CODES.ok);
  expect(await labelledObjects(kc, "edge")).toEqual([]);
  const run = startCli(dir, passphrase, ["up"]);
  await waitForOutput(run, /kubernetes:apps\/v1:Deployment .* creating/);
  run.child.kill("SIGTERM");
  const cancelled = await run.done;
  expectExit(cancelled, EXIT_CODES.terminated);
  expect(results(cancelled)).toEqual([
    ["edge", "up", "cancelled"],
    ["edge-blocks", "up", "cancelled"],
  ]);
  expect(cancelled.summary?.stacks[1].error).toBe("the run was cancelled before it started");
  expect(lockFiles()).toEqual([]);
  const again = await cli("up");
  expectExit(again, EXIT_CODES.ok);
  expect(results(again).map((r) => r[2])).toEqual(["succeeded", "succeeded"]);
});

test("a cancel that loses the answers of applied creates: recorded, the next up reads them back", async () => {
  expectExit(await cli("destroy"), EXIT_CODES.ok);
  // The stack reaches the API server through a link that holds every answer for 2 s: requests
  // are applied at once, and a cancel meanwhile loses their answers.
  const config = JSON.parse(plane.kubeconfig) as { clusters: { cluster: { server: string } }[] };
  const server = new URL(config.clusters[0].cluster.server);
  const proxy = await startDelayingProxy(server.hostname, Number(server.port), 2000);
  const setKubeconfig = (text: string) =>
    pulumi(
      dir,
      backend,
      passphrase,
      ["config", "set", "--secret", "aios-infra:kubeconfig", "--stack", "edge"],
      text,
    );
  config.clusters[0].cluster.server = `https://${server.hostname}:${proxy.port}`;
  setKubeconfig(JSON.stringify(config));
  try {
    const run = startCli(dir, passphrase, ["up", "--stack", "edge"]);
    // The first object the server applied: its answer is still on the way back.
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const labelSelector = "aios.io/cluster-id=edge";
    while ((await core.listNamespace({ labelSelector })).items.length === 0) {
      expect(run.child.exitCode).toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill("SIGTERM");
    const cancelled = await run.done;
    expectExit(cancelled, EXIT_CODES.terminated);
    expect(cancelled.stdout).toMatch(/\d+ create\(s\) were interrupted with their outcome unknown/);
    // The server applied creates whose answers were lost; they are recorded, none is orphaned.
    expect(state().interrupted).toBeGreaterThan(0);
    const inCluster = await labelledObjects(kc, "edge");
    expect(inCluster.filter((o) => !state().objects.includes(o))).toEqual([]);
  } finally {
    setKubeconfig(plane.kubeconfig);
    await proxy.close();
  }
  const up = await cli("up", "--stack", "edge");
  expectExit(up, EXIT_CODES.ok);
  expect(up.stdout).toMatch(
    /an earlier run was interrupted with \d+ create\(s\) of unknown outcome; reading them back/,
  );
  const after = state();
  expect(after.interrupted).toBe(0);
  expect(new Set(after.objects).size).toBe(after.objects.length);
  const inCluster = await labelledObjects(kc, "edge");
  expect(inCluster.filter((o) => !after.objects.includes(o))).toEqual([]);
});

test("SIGKILL of the engine mid-up: the next up converges, nothing duplicated or orphaned", async () => {
  expectExit(await cli("destroy"), EXIT_CODES.ok);
  const run = startCli(dir, passphrase, ["up", "--stack", "edge"]);
  await waitForOutput(run, /kubernetes:apps\/v1:Deployment .* creating/);
  const engines = enginePids(run.child.pid ?? -1);
  expect(engines).toHaveLength(1);
  // An engine killed outright leaves its provider plugins running: the test ends them too.
  const plugins = descendantPids(engines[0]);
  process.kill(engines[0], "SIGKILL");
  const killed = await run.done;
  for (const pid of plugins) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  expectExit(killed, EXIT_CODES.failed);
  expect(killed.summary?.stacks[0].error).toMatch(/the Pulumi engine stopped without reporting/);
  // What a killed engine leaves: its lock, and creates it never recorded as done.
  expect(lockFiles()).toHaveLength(1);
  expect(state().pending).toBeGreaterThan(0);
  // A kill can also land in the blob store's in-place rewrite of the state's sidecar (seen under
  // load): an empty edge.json.attrs makes every read fail with "failed to load checkpoint: EOF".
  fs.writeFileSync(`${stateFile()}.attrs`, "");

  const up = await cli("up", "--stack", "edge");
  expectExit(up, EXIT_CODES.ok);
  // The emptied sidecar, and any temporary file the kill left.
  expect(up.stdout).toMatch(
    /the stack's lock was left by a process of this host that is gone: removed it, and \d+ half-written file\(s\) of its last save/,
  );
  expect(up.stdout).toMatch(/an earlier run stopped with \d+ create\(s\) in flight; importing/);
  const after = state();
  expect(after.pending).toBe(0);
  expect(new Set(after.objects).size).toBe(after.objects.length);
  // Every object of the stack in the cluster is in the state (none orphaned).
  const inCluster = await labelledObjects(kc, "edge");
  expect(inCluster.filter((o) => !after.objects.includes(o))).toEqual([]);
  const preview = await cli("preview", "--stack", "edge");
  expectExit(preview, EXIT_CODES.ok);
  expect(Object.keys(preview.summary?.stacks[0].changes ?? {})).toEqual(["same"]);
});

test("destroy runs the blocks stack first, then the cluster; nothing is left", async () => {
  const destroy = await cli("destroy");
  expectExit(destroy, EXIT_CODES.ok);
  expect(results(destroy)).toEqual([
    ["edge-blocks", "destroy", "succeeded"],
    ["edge", "destroy", "succeeded"],
  ]);
  expect(await labelledObjects(kc, "edge")).toEqual([]);
  expect(lockFiles()).toEqual([]);
});
