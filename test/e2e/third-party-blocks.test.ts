/**
 * Third-party blocks for real: a block whose system is a Helm release (the local stand-in chart)
 * and whose init container finishes; a block whose `main` fails, then converges once fixed; a Job
 * that never finishes (deadline); a Job deleted during the wait; drift found by refresh; a delete
 * lifecycle that fails (the resource stays, the escape hatch lets destroy go on); and destroy
 * running the delete lifecycles and leaving nothing. kwok finishes each Job pod with the exit code
 * and termination message the pod annotations choose.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { labelledObjects } from "../support/cluster-inventory";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const NS = "third-party";
const finished = (result: Record<string, unknown> = {}) =>
  JSON.stringify({
    status: "finish",
    stage: "finish",
    message: "done",
    result,
    stages: ["begin", "main", "finish"].map((stage) => ({
      stage,
      status: "success",
      message: "ok",
    })),
  });
const failedAt = (stage: string, message: string) =>
  JSON.stringify({ status: "failed", stage, message });

/** Pod annotations that make kwok finish each lifecycle the way a test wants. */
const lifecycle = (create: string, del = finished()) => ({
  "e2e.aios.io/create-termination-message": create,
  "e2e.aios.io/delete-termination-message": del,
});

const TRITON = {
  id: "blk-triton",
  name: "triton",
  system: {
    kind: "helm",
    chart: { path: "test/fixtures/charts/inference-server-test" },
    urls: {
      grpc_url: { port: "grpc", scheme: "grpc" },
      health_url: { port: 8000, path: "/v2/health/ready" },
    },
  },
  initContainer: {
    image: "registry.local/triton-init:1.0.0",
    statusSource: "termination-message",
    writeToRegistry: true,
    podAnnotations: lifecycle(
      finished({
        server_url: "http://triton.example:8000",
        metrics_url: "http://triton.example:8002",
      }),
    ),
  },
};

/** A block installed by its init container; its delete lifecycle finishes unless told otherwise. */
const block = (id: string, podAnnotations: Record<string, string>, extra = {}) => ({
  id,
  name: "system",
  system: { kind: "none" },
  initContainer: {
    image: "registry.local/init:1.0.0",
    statusSource: "termination-message",
    podAnnotations: { "e2e.aios.io/delete-termination-message": finished(), ...podAnnotations },
    ...extra,
  },
});

/** The blocks registry the provider writes finish() output to, on loopback (records calls). */
const registryCalls: { method: string; url: string; body: unknown }[] = [];
const registry = http.createServer((req, res) => {
  let text = "";
  req.on("data", (chunk: Buffer) => (text += chunk.toString()));
  req.on("end", () => {
    const body = JSON.parse(text || "null") as unknown;
    registryCalls.push({ method: req.method ?? "", url: req.url ?? "", body });
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
let registryUrl = "";

const config = (blocks: unknown[]) => ({
  "aios-infra:cluster": minimalCluster("blocks", [["node-1"]]),
  "aios-infra:network": {
    ...NETWORK,
    blocks_db_url: registryUrl,
  },
  "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
  "aios-infra:blocks": blocks,
});

let plane: LocalControlPlane;
let e2e: E2eStack;
let batch: k8s.BatchV1Api;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  batch = plane.kubeConfig().makeApiClient(k8s.BatchV1Api);
  core = plane.kubeConfig().makeApiClient(k8s.CoreV1Api);
  e2e = await openE2eStack("blocks", config([TRITON]), plane.kubeconfigPath);
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
  registry.close();
});

const jobsLeft = async () =>
  (await batch.listNamespacedJob({ namespace: NS })).items.map((j) => j.metadata?.name);

const status = async (blockId: string) =>
  (await core.readNamespacedConfigMap({ name: `${blockId}-init-status`, namespace: NS })).data;

const setBlocks = (blocks: unknown[]) => writeStackConfig(e2e.dir, "blocks", config(blocks));

test("a Helm-released block whose init container finishes exposes both sets of URLs", async () => {
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.blocks.value).toEqual({
    "blk-triton": {
      initStatus: "finish",
      urls: {
        grpc_url: "grpc://blk-triton-triton.third-party.svc.cluster.local:8001",
        health_url: "http://blk-triton-triton.third-party.svc.cluster.local:8000/v2/health/ready",
        server_url: "http://triton.example:8000",
        metrics_url: "http://triton.example:8002",
      },
    },
  });
  const server = await plane
    .kubeConfig()
    .makeApiClient(k8s.AppsV1Api)
    .readNamespacedDeployment({ name: "blk-triton-triton", namespace: NS });
  expect(server.status?.availableReplicas).toBe(1);
  expect(await status("blk-triton")).toMatchObject({
    mode: "create",
    status: "finish",
    stage: "finish",
  });
  expect(await jobsLeft()).toEqual([]);
  // The registry had the block (someone else's record): read, then finish() output written.
  expect(registryCalls).toEqual([
    { method: "GET", url: "/blocks/blk-triton", body: null },
    {
      method: "PUT",
      url: "/blocks/blk-triton",
      body: {
        $set: {
          "blockInitData.initContainer": {
            server_url: "http://triton.example:8000",
            metrics_url: "http://triton.example:8002",
          },
        },
      },
    },
  ]);
});

test("a block whose main fails fails up with the stage and message; the fixed block converges", async () => {
  const broken = block("blk-broken", lifecycle(failedAt("main", "model download failed")));
  setBlocks([TRITON, broken]);
  await expect(e2e.stack.up()).rejects.toThrow(
    "block blk-broken: init container create failed at stage 'main': stage 'main' reported 'failed': model download failed",
  );
  expect(await jobsLeft()).toEqual([]);
  expect(await status("blk-broken")).toMatchObject({ status: "failed", stage: "main" });

  setBlocks([TRITON, block("blk-broken", lifecycle(finished({ server_url: "http://fixed:1" })))]);
  const fixed = await e2e.stack.up();
  expect(fixed.outputs.blocks.value["blk-broken"]).toEqual({
    initStatus: "finish",
    urls: { server_url: "http://fixed:1" },
  });
  expect(await jobsLeft()).toEqual([]);
});

test("a non-zero exit fails with the exit code; a zero exit without a status is no success", async () => {
  setBlocks([
    block("blk-crash", {
      "e2e.aios.io/create-exit-code": "3",
      "e2e.aios.io/create-termination-message": "segfault",
    }),
  ]);
  await expect(e2e.stack.up()).rejects.toThrow(
    "block blk-crash: init container create failed at stage 'unknown': the container exited with code 3: segfault",
  );
  setBlocks([block("blk-crash", { "e2e.aios.io/create-termination-message": "all good, honest" })]);
  await expect(e2e.stack.up()).rejects.toThrow(
    "the container exited 0 but wrote no JSON status to its termination message",
  );
  setBlocks([block("blk-crash", lifecycle(finished()))]);
  expect((await e2e.stack.up()).summary.result).toBe("succeeded");
});

test("a Job that never finishes fails at its deadline and leaves nothing running", async () => {
  setBlocks([block("blk-stuck", { "e2e.aios.io/hang-create": "true" }, { deadlineSeconds: 5 })]);
  const started = Date.now();
  await expect(e2e.stack.up()).rejects.toThrow(
    "block blk-stuck: init container create failed at stage 'unknown': its Job did not finish within 5 s (deadlineSeconds)",
  );
  expect(Date.now() - started).toBeLessThan(60_000);
  expect(await jobsLeft()).toEqual([]);
  // Removing the block runs its delete lifecycle, which finishes.
  setBlocks([]);
  expect((await e2e.stack.up()).summary.result).toBe("succeeded");
});

test("a Job deleted during a long wait (past watch timeouts) fails the lifecycle, naming it", async () => {
  setBlocks([block("blk-gone", { "e2e.aios.io/hang-create": "true" }, { deadlineSeconds: 120 })]);
  const up = e2e.stack.up();
  const deleter = (async () => {
    for (let i = 0; i < 600; i += 1) {
      const jobs = await jobsLeft();
      if (jobs.includes("blk-gone-init-create")) {
        // Past the client's 30 s idle timeout: the wait must have survived its watch ending.
        await new Promise((r) => setTimeout(r, 35_000));
        await batch.deleteNamespacedJob({ name: "blk-gone-init-create", namespace: NS });
        return true;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  })();
  await expect(up).rejects.toThrow(
    "block blk-gone: init container create failed at stage 'unknown': its Job was deleted while the provider waited for it",
  );
  expect(await deleter).toBe(true);
  setBlocks([]);
  expect((await e2e.stack.up()).summary.result).toBe("succeeded");
});

test("refresh reports a lost status record as drift, and up re-runs the lifecycle", async () => {
  setBlocks([TRITON]);
  await e2e.stack.up();
  await core.deleteNamespacedConfigMap({ name: "blk-triton-init-status", namespace: NS });
  await e2e.stack.refresh();
  const state = (await e2e.stack.exportStack()).deployment as {
    resources: { type: string; outputs?: { status?: string } }[];
  };
  const init = state.resources.find(
    (r) => r.type === "pulumi-nodejs:dynamic/aios-infra:InitContainer",
  );
  expect(init?.outputs?.status).toBe("missing");
  const repaired = await e2e.stack.up();
  expect(repaired.summary.resourceChanges?.update).toBe(1);
  expect(await status("blk-triton")).toMatchObject({ status: "finish" });
});

test("a failed delete keeps the block in state; skipDelete lets destroy remove it", async () => {
  const sticky = block("blk-sticky", lifecycle(finished(), failedAt("main", "volume busy")));
  setBlocks([TRITON, sticky]);
  await e2e.stack.up();
  await expect(e2e.stack.destroy()).rejects.toThrow(
    "block blk-sticky: init container delete failed at stage 'main': stage 'main' reported 'failed': volume busy",
  );
  const state = (await e2e.stack.exportStack()).deployment as { resources: { urn: string }[] };
  // The lifecycle and the access its retry needs are still there.
  expect(
    state.resources
      .map((r) => r.urn.split("::").pop())
      .filter((n) => n?.startsWith("blocks-blk-sticky"))
      .sort(),
  ).toEqual([
    "blocks-blk-sticky",
    "blocks-blk-sticky-init",
    "blocks-blk-sticky-init-role",
    "blocks-blk-sticky-init-rolebinding",
    "blocks-blk-sticky-init-sa",
  ]);
  expect(await jobsLeft()).toEqual([]);

  setBlocks([TRITON, { ...sticky, initContainer: { ...sticky.initContainer, skipDelete: true } }]);
  await e2e.stack.up();
});

test("destroy runs each delete lifecycle before its release goes, and leaves nothing", async () => {
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  expect(await labelledObjects(plane.kubeConfig(), "blocks")).toEqual([]);
  await expect(core.readNamespace({ name: NS })).rejects.toMatchObject({ code: 404 });
  const remaining = (await e2e.stack.exportStack()).deployment as { resources?: unknown[] };
  expect(remaining.resources ?? []).toHaveLength(0);
});
