/**
 * The foundation loop, for real: `pulumi up` of the program against the local control plane,
 * objects asserted in the API server, no changes on preview and refresh, `pulumi destroy`, and
 * nothing the stack created left behind. Invalid config fails before anything is touched.
 */
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { minimalCluster, withGpu } from "../support/fixtures";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";

const CLUSTER = withGpu(minimalCluster("e2e-cluster", [["gpu-1", "kwok-gpu-1"], ["cpu-1"]]), 0);
const AIOS_NAMESPACES = ["blocks", "controllers", "metrics", "vdags"];

jest.setTimeout(10 * 60 * 1000);

let plane: LocalControlPlane;
let e2e: E2eStack;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  plane = await LocalControlPlane.start({
    nodes: [{ name: "kwok-gpu-1", gpus: 2 }, { name: "cpu-1" }, { name: "not-in-config" }],
  });
  core = plane.kubeConfig().makeApiClient(k8s.CoreV1Api);
  e2e = await openE2eStack("e2e", { "aios-infra:cluster": CLUSTER }, plane.kubeconfigPath);
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
});

async function namespaceExists(name: string): Promise<boolean> {
  return core.readNamespace({ name }).then(
    () => true,
    (e: { code?: number }) => {
      if (e.code === 404) {
        return false;
      }
      throw e;
    },
  );
}

async function nodeLabels(name: string): Promise<Record<string, string>> {
  return (await core.readNode({ name })).metadata?.labels ?? {};
}

async function nodeAnnotations(name: string): Promise<Record<string, string>> {
  return (await core.readNode({ name })).metadata?.annotations ?? {};
}

test("invalid config fails at preview with every problem named, and creates nothing", async () => {
  writeStackConfig(e2e.dir, "e2e", {
    "aios-infra:cluster": { ...minimalCluster("E2E_Cluster", [["a"], ["a"]]) },
    "aios-infra:colour": "blue",
  });
  try {
    const preview = e2e.stack.preview();
    await expect(preview).rejects.toThrow(
      [
        "invalid stack configuration (3 problems):",
        "      - aios-infra:colour: is not a known setting; known settings: environment, cluster, nodePorts, images, verifyNodes, network, gateway, metricsStorage, kubeconfig (received a value)",
        "      - aios-infra:cluster.id: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (received \"E2E_Cluster\")",
        '      - aios-infra:cluster.nodes.nodeData[1].id: duplicates nodes.nodeData[0] (node ids must be unique) (received "a")',
      ].join("\n"),
    );
    const up = e2e.stack.up();
    await expect(up).rejects.toThrow("invalid stack configuration");
    for (const ns of AIOS_NAMESPACES) {
      expect(await namespaceExists(ns)).toBe(false);
    }
  } finally {
    writeStackConfig(e2e.dir, "e2e", { "aios-infra:cluster": CLUSTER });
  }
});

test("a node named in config but absent from the cluster fails preview, naming it", async () => {
  writeStackConfig(e2e.dir, "e2e", {
    "aios-infra:cluster": minimalCluster("e2e-cluster", [["gpu-1", "kwok-gpu-1"], ["ghost"]]),
  });
  try {
    await expect(e2e.stack.preview()).rejects.toThrow(
      "aios-infra:cluster.nodes.nodeData[1].kubernetesNodeName: names node 'ghost', which the cluster does not have (its nodes: cpu-1, kwok-gpu-1, not-in-config)",
    );
  } finally {
    writeStackConfig(e2e.dir, "e2e", { "aios-infra:cluster": CLUSTER });
  }
});

test("up creates the namespaces and node labels, and reports them as outputs", async () => {
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.clusterId.value).toBe("e2e-cluster");
  expect(result.outputs.namespaces.value).toEqual(AIOS_NAMESPACES);
  expect(result.outputs.nodeIds.value).toEqual({ "kwok-gpu-1": "gpu-1", "cpu-1": "cpu-1" });

  for (const name of AIOS_NAMESPACES) {
    const ns = await core.readNamespace({ name });
    expect(ns.metadata?.labels).toMatchObject({
      "app.kubernetes.io/name": name,
      "app.kubernetes.io/part-of": "aios",
      "app.kubernetes.io/managed-by": "pulumi",
      "app.kubernetes.io/component": "namespace",
      "aios.io/cluster-id": "e2e-cluster",
    });
  }
  expect(await nodeLabels("kwok-gpu-1")).toMatchObject({
    nodeID: "gpu-1",
    "aios.io/cluster-id": "e2e-cluster",
  });
  expect(await nodeAnnotations("kwok-gpu-1")).toMatchObject({
    "gpu.aios/info": '[{"modelName": "NVIDIA L4", "memory": 24576}]',
  });
  expect(await nodeLabels("cpu-1")).toMatchObject({ nodeID: "cpu-1" });
  expect(await nodeAnnotations("cpu-1")).not.toHaveProperty("gpu.aios/info");
  expect(await nodeLabels("not-in-config")).not.toHaveProperty("nodeID");
});

test("preview and refresh then show no changes", async () => {
  const preview = await e2e.stack.preview({ expectNoChanges: true });
  expect(Object.keys(preview.changeSummary).sort()).toEqual(["same"]);
  const refresh = await e2e.stack.refresh({ expectNoChanges: true });
  expect(refresh.summary.result).toBe("succeeded");
  expect(Object.keys(refresh.summary.resourceChanges ?? {}).sort()).toEqual(["same"]);
});

test("destroy leaves nothing the stack created: namespaces and labels are gone, nodes stay", async () => {
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  for (const ns of AIOS_NAMESPACES) {
    expect(await namespaceExists(ns)).toBe(false);
  }
  for (const node of ["kwok-gpu-1", "cpu-1"]) {
    const labels = await nodeLabels(node);
    expect(labels).not.toHaveProperty("nodeID");
    expect(labels).not.toHaveProperty("aios.io/cluster-id");
    expect(labels["kubernetes.io/hostname"]).toBe(node);
    expect(await nodeAnnotations(node)).not.toHaveProperty("gpu.aios/info");
  }
  const remaining = await e2e.stack.exportStack();
  const deployment = remaining.deployment as { resources?: unknown[] };
  expect(deployment.resources ?? []).toHaveLength(0);
});
