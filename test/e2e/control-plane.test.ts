/**
 * The local control plane itself: Jobs complete or fail with the exit code and message a test
 * chooses, two runs overlap without colliding, and a run whose owner died is torn down.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import {
  LocalControlPlane,
  readState,
  reapStaleRuns,
  stopRun,
} from "../../scripts/control-plane/local-control-plane";
import { isAlive } from "../../scripts/control-plane/processes";

jest.setTimeout(5 * 60 * 1000);

let plane: LocalControlPlane;
beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "worker", gpus: 1 }] });
});
afterAll(() => plane?.stop());

function job(name: string, annotations: Record<string, string>): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: "Never",
          containers: [{ name: "init", image: "example.invalid/init:1.0.0" }],
        },
      },
    },
  };
}

async function finished(batch: k8s.BatchV1Api, name: string): Promise<k8s.V1Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const j = await batch.readNamespacedJob({ name, namespace: "default" });
    const done = (j.status?.conditions ?? []).find(
      (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    if (done !== undefined) {
      return j;
    }
    if (Date.now() > deadline) {
      throw new Error(`job ${name} did not finish: ${JSON.stringify(j.status)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function terminatedState(core: k8s.CoreV1Api, jobName: string) {
  const pods = await core.listNamespacedPod({
    namespace: "default",
    labelSelector: `job-name=${jobName}`,
  });
  return pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated;
}

test("a Job pod completes with the termination message the test chose", async () => {
  const kc = plane.kubeConfig();
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  await batch.createNamespacedJob({
    namespace: "default",
    body: job("ok", { "e2e.aios.io/termination-message": '{"server_url":"http://x:1"}' }),
  });
  const done = await finished(batch, "ok");
  expect(done.status?.succeeded).toBe(1);
  const state = await terminatedState(kc.makeApiClient(k8s.CoreV1Api), "ok");
  expect(state).toMatchObject({
    exitCode: 0,
    reason: "Completed",
    message: '{"server_url":"http://x:1"}',
  });
});

test("a Job pod fails with the exit code the test chose, and the Job is marked Failed", async () => {
  const kc = plane.kubeConfig();
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  await batch.createNamespacedJob({
    namespace: "default",
    body: job("bad", { "e2e.aios.io/exit-code": "3", "e2e.aios.io/termination-message": "boom" }),
  });
  const done = await finished(batch, "bad");
  expect(done.status?.failed).toBe(1);
  const state = await terminatedState(kc.makeApiClient(k8s.CoreV1Api), "bad");
  expect(state).toMatchObject({ exitCode: 3, reason: "Error", message: "boom" });
});

test("two runs overlap on distinct loopback ports", async () => {
  const second = await LocalControlPlane.start();
  try {
    expect(second.server).not.toBe(plane.server);
    expect(new URL(second.server).hostname).toBe("127.0.0.1");
    const version = await second.kubeConfig().makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.36.3");
  } finally {
    second.stop();
  }
  expect(fs.existsSync(second.dir)).toBe(false);
});

/** Starts a control plane owned by a separate Node process; resolves its run directory. */
async function startInChild(): Promise<{ child: ChildProcess; dir: string; pids: number[] }> {
  const module = path.join(
    __dirname,
    "..",
    "..",
    "scripts",
    "control-plane",
    "local-control-plane",
  );
  const script = `require(${JSON.stringify(module)}).LocalControlPlane.start()
    .then((p) => { console.log(p.dir); setInterval(() => {}, 1000); });`;
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (code) => reject(new Error(`child exited early: ${code}`)));
  });
  const pids = readState(dir)?.processes.map((p) => p.pid) ?? [];
  expect(pids).toHaveLength(6); // watchdog, etcd, apiserver, controller manager, scheduler, kwok
  expect(pids.every(isAlive)).toBe(true);
  return { child, dir, pids };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.each(["SIGTERM", "SIGINT", "SIGKILL"] as const)(
  "a run is torn down when its owner ends by %s",
  async (signal) => {
    const { child, dir, pids } = await startInChild();
    child.kill(signal);
    await until("every process is gone", () => !pids.some(isAlive));
    await until("the run directory is removed", () => !fs.existsSync(dir));
  },
);

test("the next start reaps a run whose owner and watchdog were both killed", async () => {
  const { child, dir, pids } = await startInChild();
  const watchdog = readState(dir)?.processes.find((p) => p.name === "watchdog")?.pid ?? 0;
  process.kill(watchdog, "SIGKILL");
  child.kill("SIGKILL");
  await until("the owner is gone", () => !isAlive(child.pid ?? 0) && !isAlive(watchdog));
  expect(pids.filter((p) => p !== watchdog).every(isAlive)).toBe(true);

  expect(reapStaleRuns()).toContain(dir);
  expect(pids.some(isAlive)).toBe(false);
  expect(fs.existsSync(dir)).toBe(false);
});

test("a ready persistent run is reused after its watchdog ends, and stopRun removes it", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-persistent-"));
  const started = await LocalControlPlane.start({ dir, persistent: true, nodes: [{ name: "p1" }] });
  try {
    const watchdog = readState(dir)?.processes.find((p) => p.name === "watchdog")?.pid ?? 0;
    await until("the watchdog has ended", () => !isAlive(watchdog));
    const attached = LocalControlPlane.attach(dir);
    expect(attached?.server).toBe(started.server);
    const nodes = await attached!.kubeConfig().makeApiClient(k8s.CoreV1Api).listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(["p1"]);
    expect(await attached!.ensureNodes([{ name: "p1" }, { name: "p2" }])).toEqual(["p2"]);
  } finally {
    expect(stopRun(dir)).toBe(true);
  }
  expect(fs.existsSync(dir)).toBe(false);
  expect(LocalControlPlane.attach(dir)).toBeUndefined();
});
