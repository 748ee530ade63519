/**
 * Stack references both ways, for real, on one file:// backend: a blocks-only stack deploying onto
 * a cluster stack's cluster, and a second cluster (its own local control plane) taking the
 * network's endpoints from the first cluster stack's `network` output (`aios-infra:networkStack`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { labelledObjects } from "../support/cluster-inventory";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { finishingBlock, minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const BLOCK = finishingBlock("blk-ref");

let plane: LocalControlPlane;
let secondPlane: LocalControlPlane;
let backend: string;
let cluster: E2eStack;
let blocks: E2eStack;
let second: E2eStack;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  backend = fs.mkdtempSync(path.join(os.tmpdir(), "aios-backend-"));
  cluster = await openE2eStack(
    "platform",
    {
      "aios-infra:cluster": minimalCluster("shared", [["node-1"]]),
      "aios-infra:network": NETWORK,
      // Two clusters in one test: each stack names its own (not the process-wide $KUBECONFIG).
      "aios-infra:kubeconfig": plane.kubeconfig,
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
    },
    plane.kubeconfigPath,
    backend,
  );
  blocks = await openE2eStack(
    "team-blocks",
    {
      "aios-infra:clusterStack": "organization/aios-infra/platform",
      "aios-infra:blocks": [BLOCK],
      "aios-infra:kubeconfig": plane.kubeconfig,
    },
    plane.kubeconfigPath,
    backend,
  );
  secondPlane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  second = await openE2eStack(
    "second-cluster",
    {
      "aios-infra:cluster": minimalCluster("second", [["node-1"]]),
      "aios-infra:networkStack": "organization/aios-infra/platform",
      "aios-infra:kubeconfig": secondPlane.kubeconfig,
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
    },
    secondPlane.kubeconfigPath,
    backend,
  );
});

afterAll(async () => {
  await second?.dispose();
  secondPlane?.stop();
  await blocks?.dispose();
  await cluster?.dispose();
  plane?.stop();
  fs.rmSync(backend, { recursive: true, force: true });
});

test("referencing stacks fail at preview while the referenced stack has no outputs", async () => {
  await expect(blocks.stack.preview()).rejects.toThrow(/organization\/aios-infra\/platform/);
  await expect(second.stack.preview()).rejects.toThrow(
    /stack organization\/aios-infra\/platform has no network output/,
  );
});

test("the blocks-only stack deploys onto the referenced cluster, with its id and network", async () => {
  await cluster.stack.up();
  const result = await blocks.stack.up();
  expect(result.outputs.clusterId.value).toBe("shared");
  expect(result.outputs.blocks.value).toEqual({
    "blk-ref": { initStatus: "finish", urls: { server_url: "http://s:1" } },
  });
  const record = await plane
    .kubeConfig()
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedConfigMap({ name: "blk-ref-init-status", namespace: "third-party" });
  expect(record.metadata?.labels?.["aios.io/cluster-id"]).toBe("shared");
  expect(record.data?.status).toBe("finish");
  const preview = await blocks.stack.preview({ expectNoChanges: true });
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
});

test("a second cluster takes the network's endpoints from the first cluster stack", async () => {
  const result = await second.stack.up();
  expect(result.outputs.network.value).toEqual(NETWORK);
  // The endpoints reached the workloads: the metrics-writer forwards to the referenced network.
  const writer = await secondPlane
    .kubeConfig()
    .makeApiClient(k8s.AppsV1Api)
    .readNamespacedDeployment({ name: "metrics-writer", namespace: "metrics" });
  const env = writer.spec?.template.spec?.containers[0]?.env ?? [];
  expect(env.find((e) => e.name === "BLOCK_METRICS_GLOBAL_DB_REDIS_HOST")?.value).toBe(
    NETWORK.global_block_metrics_redis_host,
  );
  const preview = await second.stack.preview({ expectNoChanges: true });
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  await second.stack.destroy();
  expect(await labelledObjects(secondPlane.kubeConfig(), "second")).toEqual([]);
});

test("destroying the blocks stack leaves the cluster stack's objects; then the cluster goes too", async () => {
  await blocks.stack.destroy();
  const kc = plane.kubeConfig();
  const left = await labelledObjects(kc, "shared");
  expect(left).toContain("Deployment controllers/shared-controller");
  // The block is gone; its namespace is the cluster stack's and stays until that stack goes.
  expect(left.filter((o) => o.includes("blk-ref") || o.includes("third-party"))).toEqual([
    "Namespace third-party",
  ]);
  await cluster.stack.destroy();
  expect(await labelledObjects(kc, "shared")).toEqual([]);
});
