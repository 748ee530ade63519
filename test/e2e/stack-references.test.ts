/**
 * A blocks-only stack deploying onto a cluster stack's cluster through a StackReference, for
 * real: two stacks on one file:// backend and one local control plane.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { labelledObjects } from "../support/cluster-inventory";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const finished = JSON.stringify({
  status: "finish",
  stage: "finish",
  result: { server_url: "http://s:1" },
});
const BLOCK = {
  id: "blk-ref",
  name: "srv",
  system: { kind: "none" },
  initContainer: {
    image: "registry.local/init:1.0.0",
    podAnnotations: { "e2e.aios.io/termination-message": finished },
  },
};

let plane: LocalControlPlane;
let backend: string;
let cluster: E2eStack;
let blocks: E2eStack;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  backend = fs.mkdtempSync(path.join(os.tmpdir(), "aios-backend-"));
  cluster = await openE2eStack(
    "platform",
    {
      "aios-infra:cluster": minimalCluster("shared", [["node-1"]]),
      "aios-infra:network": NETWORK,
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
    },
    plane.kubeconfigPath,
    backend,
  );
  blocks = await openE2eStack(
    "team-blocks",
    { "aios-infra:clusterStack": "organization/aios-infra/platform", "aios-infra:blocks": [BLOCK] },
    plane.kubeconfigPath,
    backend,
  );
});

afterAll(async () => {
  await blocks?.dispose();
  await cluster?.dispose();
  plane?.stop();
  fs.rmSync(backend, { recursive: true, force: true });
});

test("a blocks-only stack fails at preview while its cluster stack has no outputs", async () => {
  await expect(blocks.stack.preview()).rejects.toThrow(/organization\/aios-infra\/platform/);
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
