/**
 * Blocks whose init containers are built on the AIOS SDK, for real on the local control plane: the
 * lifecycle Job's pod carries the SDK endpoint; a runner plays its containers (the endpoint script
 * and an SDK-like client, with the pod's own environment, documents and ServiceAccount token) and
 * kwok finishes the pod with the record the endpoint wrote. The cluster is registered with the AIOS
 * double, whose blocks DB behaves as upstream's.
 */
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { labelledObjects } from "../support/cluster-inventory";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, OFFLINE_GATEWAY, registeringNetwork } from "../support/fixtures";
import { SdkPodRunner, type PodScript } from "../support/sdk-pod-runner";

jest.setTimeout(10 * 60 * 1000);

const NS = "third-party";
const sdkBlock = (id: string) => ({
  id,
  name: "server",
  system: { kind: "none" },
  initContainer: {
    image: "registry.local/vllm-init:2.0.0",
    blockData: { blockInitData: { model: "llama-3-8b" } },
  },
});

/** What each block's SDK image does, by block id and mode. */
const scripts: Record<string, PodScript> = {
  "blk-vllm/create": {
    begin: [true, "connected"],
    finish: [true, { server_url: "http://vllm:8000", replicas: 2 }],
  },
  "blk-vllm/delete": { finish: [true, "uninstalled"] },
  "blk-fail/create": { main: [false, "helm install failed: chart vllm-0.9 not found"] },
  "blk-fail/delete": {},
  "blk-theirs/create": { finish: [true, { server_url: "http://theirs:9000" }] },
  "blk-theirs/delete": {},
};

let plane: LocalControlPlane;
let double: AiosDouble;
let runner: SdkPodRunner;
let e2e: E2eStack;
let core: k8s.CoreV1Api;

const config = (blocks: unknown[]) => ({
  "aios-infra:cluster": minimalCluster("sdk", [["node-1"]]),
  "aios-infra:network": { ...registeringNetwork(double.url), blocks_db_url: double.url },
  "aios-infra:registration": { enabled: true },
  "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
  "aios-infra:blocks": blocks,
});

beforeAll(async () => {
  double = await AiosDouble.start();
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  core = plane.kubeConfig().makeApiClient(k8s.CoreV1Api);
  runner = new SdkPodRunner(
    plane.kubeConfig(),
    NS,
    (blockId, mode) => scripts[`${blockId}/${mode}`] ?? {},
  );
  await runner.start();
  e2e = await openE2eStack("sdk", config([sdkBlock("blk-vllm")]), plane.kubeconfigPath);
});

afterAll(async () => {
  runner?.stop();
  await e2e?.dispose();
  plane?.stop();
  await double?.stop();
});

const status = async (blockId: string) =>
  (await core.readNamespacedConfigMap({ name: `${blockId}-init-status`, namespace: NS })).data ??
  {};

test("an SDK image runs unmodified: stages shown as they arrive, finish's data becomes the block's URLs and its blocks DB entry", async () => {
  let output = "";
  const result = await e2e.stack.up({ onOutput: (o) => (output += o) });
  expect(result.summary.result).toBe("succeeded");
  expect(runner.played).toEqual(["blk-vllm/create"]);
  expect(result.outputs.blocks.value["blk-vllm"]).toEqual({
    initStatus: "finish",
    urls: { server_url: "http://vllm:8000" },
  });
  // Each stage reached `pulumi up` while the Job ran, from the status ConfigMap the endpoint wrote.
  for (const stage of ["begin", "main", "finish"]) {
    expect(output).toContain(`block blk-vllm: init container create: stage '${stage}' success at `);
  }
  const data = await status("blk-vllm");
  expect(data).toMatchObject({ mode: "create", status: "finish", stage: "finish" });
  expect(JSON.parse(data.result ?? "")).toEqual({ server_url: "http://vllm:8000", replicas: 2 });
  expect(
    (JSON.parse(data.stages ?? "[]") as { stage: string; status: string; message: string }[]).map(
      (s) => [s.stage, s.status, s.message],
    ),
  ).toEqual([
    ["begin", "success", "connected"],
    ["main", "success", "{}"],
    ["finish", "success", '{"server_url":"http://vllm:8000","replicas":2}'],
  ]);
  // The stack created the block in the network's blocks DB, and wrote finish's data where
  // upstream's controller does.
  expect(double.blocks.get("blk-vllm")).toMatchObject({
    id: "blk-vllm",
    blockMetadata: { managedBy: "aios-infra" },
    component: {
      containerRegistryInfo: {
        componentMode: "third_party",
        initContainer: { image: "registry.local/vllm-init:2.0.0" },
      },
    },
    cluster: { id: "sdk" },
    blockInitData: {
      model: "llama-3-8b",
      initContainer: { server_url: "http://vllm:8000", replicas: 2 },
    },
  });
  const jobs = await plane
    .kubeConfig()
    .makeApiClient(k8s.BatchV1Api)
    .listNamespacedJob({ namespace: NS });
  expect(jobs.items).toEqual([]);
});

test("a stage that fails fails up with the block, stage, SDK error; the record stays for a re-run", async () => {
  writeStackConfig(e2e.dir, "sdk", config([sdkBlock("blk-vllm"), sdkBlock("blk-fail")]));
  await expect(e2e.stack.up()).rejects.toThrow(
    "block blk-fail: init container create failed at stage 'main': the SDK reported failure: helm install failed: chart vllm-0.9 not found",
  );
  expect(await status("blk-fail")).toMatchObject({
    status: "failed",
    stage: "main",
    error: "the SDK reported failure: helm install failed: chart vllm-0.9 not found",
  });
  // Fixed image: the next up re-runs the lifecycle and converges.
  scripts["blk-fail/create"] = { finish: [true, { server_url: "http://fixed:8000" }] };
  const fixed = await e2e.stack.up();
  expect(fixed.outputs.blocks.value["blk-fail"]).toEqual({
    initStatus: "finish",
    urls: { server_url: "http://fixed:8000" },
  });
});

test("destroy runs each delete lifecycle and removes only the blocks DB records the stack created", async () => {
  // A block someone else put in the blocks DB: used, never removed.
  double.blocks.set("blk-theirs", { id: "blk-theirs", blockInitData: { owner: "ml-team" } });
  writeStackConfig(
    e2e.dir,
    "sdk",
    config([sdkBlock("blk-vllm"), sdkBlock("blk-fail"), sdkBlock("blk-theirs")]),
  );
  expect((await e2e.stack.up()).summary.result).toBe("succeeded");
  expect(double.blocks.get("blk-theirs")).toEqual({
    id: "blk-theirs",
    blockInitData: { owner: "ml-team", initContainer: { server_url: "http://theirs:9000" } },
  });
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  expect(runner.played.filter((p) => p.endsWith("/delete")).sort()).toEqual([
    "blk-fail/delete",
    "blk-theirs/delete",
    "blk-vllm/delete",
  ]);
  expect([...double.blocks.keys()]).toEqual(["blk-theirs"]);
  expect(await labelledObjects(plane.kubeConfig(), "sdk")).toEqual([]);
  await expect(core.readNamespace({ name: NS })).rejects.toMatchObject({ code: 404 });
});
