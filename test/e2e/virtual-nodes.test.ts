/**
 * interLink virtual nodes on the local control plane: `pulumi up` creates each virtual node's
 * Node (labels, taints), its config files, the remote credential as a secret, the virtual
 * kubelet's Deployment (running through kwok) and its RBAC; the cluster is registered with the
 * virtual nodes marked; a preview shows no changes; destroy leaves no Node and no object.
 *
 * The real virtual kubelet and interLink API server are not run: the Go module proxy refuses
 * github.com/interlink-hq/interlink at every version (403 "This module version is not
 * available"), so they cannot be built here. Their configs follow interLink 0.6.2's keys (unit
 * tests), and the plugin API is covered by the plugin double's contract test.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import * as YAML from "yaml";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { labelledObjects, nodePortServices } from "../support/cluster-inventory";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, OFFLINE_GATEWAY, registeringNetwork, withGpu } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const CLUSTER_ID = "vn";
const TOKEN = "e2e-interlink-token";
let network: AiosDouble;
let plane: LocalControlPlane;
let e2e: E2eStack;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  network = await AiosDouble.start();
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  kc = plane.kubeConfig();
  e2e = await openE2eStack(
    "virtual-nodes",
    {
      "aios-infra:cluster": withGpu(
        minimalCluster(CLUSTER_ID, [["node-1"], ["hpc-1"], ["remote-1"]]),
        1,
      ),
      "aios-infra:network": registeringNetwork(network.url),
      "aios-infra:registration": { enabled: true },
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
      "aios-infra:virtualNodes": [
        {
          nodeId: "hpc-1",
          taints: [{ key: "hpc.example.org/queue", value: "gpu", effect: "NoSchedule" }],
          backend: {
            mode: "in-cluster",
            plugin: { image: "registry.local/slurm-plugin:0.6.2", config: "SidecarPort: 4000\n" },
          },
        },
        {
          nodeId: "remote-1",
          backend: { mode: "remote", url: "https://interlink.example.org:30443", auth: "token" },
        },
      ],
    },
    plane.kubeconfigPath,
  );
  await e2e.stack.setConfig("aios-infra:interlinkCredentials", {
    value: JSON.stringify({ "remote-1": { token: TOKEN } }),
    secret: true,
  });
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
  await network?.stop();
});

test("up creates the virtual nodes, their config, credential and virtual kubelets", async () => {
  const up = await e2e.stack.up();
  expect(up.outputs.virtualNodes.value).toEqual({
    "hpc-1": {
      nodeName: "hpc-1",
      placement: {
        nodeSelector: { "kubernetes.io/hostname": "hpc-1" },
        tolerations: [
          { key: "virtual-node.interlink/no-schedule", operator: "Exists", effect: "NoSchedule" },
          { key: "hpc.example.org/queue", operator: "Equal", value: "gpu", effect: "NoSchedule" },
        ],
      },
    },
    "remote-1": {
      nodeName: "remote-1",
      placement: {
        nodeSelector: { "kubernetes.io/hostname": "remote-1" },
        tolerations: [
          { key: "virtual-node.interlink/no-schedule", operator: "Exists", effect: "NoSchedule" },
        ],
      },
    },
  });
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const node = await core.readNode({ name: "hpc-1" });
  expect(node.metadata?.labels).toMatchObject({
    nodeID: "hpc-1",
    "virtual-node.interlink/type": "virtual-kubelet",
    "aios.io/cluster-id": CLUSTER_ID,
  });
  expect(node.spec?.taints?.map((t) => `${t.key}=${t.value}:${t.effect}`)).toEqual(
    expect.arrayContaining([
      "virtual-node.interlink/no-schedule=true:NoSchedule",
      "hpc.example.org/queue=gpu:NoSchedule",
    ]),
  );
  const vkConfig = YAML.parse(
    (await core.readNamespacedConfigMap({ name: "hpc-1-vk-config", namespace: "interlink" }))
      .data?.["InterLinkConfig.yaml"] ?? "",
  ) as Record<string, unknown>;
  expect(vkConfig).toMatchObject({
    InterlinkURL: "http://127.0.0.1",
    InterlinkPort: "3000",
    DisableCSR: true,
    NodeLabels: ["nodeID=hpc-1"],
    Resources: {
      Accelerators: [{ ResourceType: "nvidia.com/gpu", Model: "NVIDIA-L4", Available: 1 }],
    },
  });
  const secret = await core.readNamespacedSecret({
    name: "remote-1-credentials",
    namespace: "interlink",
  });
  expect(Buffer.from(secret.data?.token ?? "", "base64").toString()).toBe(TOKEN);
  // The backend's state file holds the credential only as ciphertext.
  const stateFile = path.join(
    e2e.dir,
    "state",
    ".pulumi",
    "stacks",
    "aios-infra",
    "virtual-nodes.json",
  );
  expect(fs.readFileSync(stateFile, "utf8")).toContain("virtual-nodes-remote-1-credentials");
  expect(fs.readFileSync(stateFile, "utf8")).not.toContain(TOKEN);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  for (const name of ["hpc-1", "remote-1"]) {
    const d = await apps.readNamespacedDeployment({ name, namespace: "interlink" });
    expect(d.status?.availableReplicas).toBe(1);
  }
  // Nothing of interLink is reachable from outside: no NodePort in its namespace.
  expect((await nodePortServices(kc)).filter((s) => s.startsWith("interlink/"))).toEqual([]);
});

test("the registered document marks the virtual nodes", () => {
  const entry = network.clusters.get(CLUSTER_ID) as {
    nodes: { nodeData: { id: string; virtual?: boolean }[] };
  };
  expect(entry.nodes.nodeData.map((n) => [n.id, n.virtual === true])).toEqual([
    ["node-1", false],
    ["hpc-1", true],
    ["remote-1", true],
  ]);
});

test("a preview shows no changes; destroy leaves no Node and no object", async () => {
  const preview = await e2e.stack.preview({ expectNoChanges: true });
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  await e2e.stack.destroy();
  const names = (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items.map(
    (n) => n.metadata?.name,
  );
  expect(names).toEqual(["node-1"]);
  expect(await labelledObjects(kc, CLUSTER_ID)).toEqual([]);
  expect(network.clusters.size).toBe(0);
});
