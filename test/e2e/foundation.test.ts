/**
 * The full default stack, for real: `pulumi up` of the program against the local control plane
 * (gateway from the offline chart, cluster services with kwok running their pods), objects
 * asserted in the API server, no changes on preview and refresh, `pulumi destroy`, and nothing the
 * stack created left behind. Invalid config fails before anything is touched.
 */
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import {
  availableDeployments,
  crdExists,
  labelledObjects,
  nodePortServices,
} from "../support/cluster-inventory";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { minimalCluster, OFFLINE_GATEWAY, registeringNetwork, withGpu } from "../support/fixtures";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";

const CLUSTER = withGpu(minimalCluster("e2e-cluster", [["gpu-1", "kwok-gpu-1"], ["cpu-1"]]), 0);
const AIOS_NAMESPACES = ["blocks", "controllers", "metrics", "vdags"];
/** The stack config: the cluster, the network endpoints and the offline gateway chart. */
/** The AIOS network the stack registers with: the local double. */
let network: AiosDouble;
const config = (cluster: unknown, extra: Record<string, unknown> = {}) => ({
  "aios-infra:cluster": cluster,
  "aios-infra:network": registeringNetwork(network.url),
  "aios-infra:registration": { enabled: true },
  "aios-infra:gateway": OFFLINE_GATEWAY,
  ...extra,
});

jest.setTimeout(10 * 60 * 1000);

let plane: LocalControlPlane;
let e2e: E2eStack;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  network = await AiosDouble.start();
  plane = await LocalControlPlane.start({
    nodes: [{ name: "kwok-gpu-1", gpus: 2 }, { name: "cpu-1" }, { name: "not-in-config" }],
  });
  core = plane.kubeConfig().makeApiClient(k8s.CoreV1Api);
  e2e = await openE2eStack("e2e", config(CLUSTER), plane.kubeconfigPath);
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
  await network?.stop();
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
  writeStackConfig(
    e2e.dir,
    "e2e",
    config(minimalCluster("E2E_Cluster", [["a"], ["a"]]), { "aios-infra:colour": "blue" }),
  );
  try {
    const preview = e2e.stack.preview();
    await expect(preview).rejects.toThrow(
      [
        "invalid stack configuration (3 problems):",
        "      - aios-infra:colour: is not a known setting; known settings: environment, cluster, nodePorts, images, verifyNodes, network, gateway, metricsStorage, blocks, addons, registration, infrastructure, networkStack, clusterStack, virtualNodes, clusterAccess, operator, selfHealing, kubeconfig, interlinkCredentials, selfHealingSecrets (received a value)",
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
    writeStackConfig(e2e.dir, "e2e", config(CLUSTER));
  }
});

test("a node named in config but absent from the cluster fails preview, naming it", async () => {
  writeStackConfig(
    e2e.dir,
    "e2e",
    config(minimalCluster("e2e-cluster", [["gpu-1", "kwok-gpu-1"], ["ghost"]])),
  );
  try {
    await expect(e2e.stack.preview()).rejects.toThrow(
      "aios-infra:cluster.nodes.nodeData[1].kubernetesNodeName: names node 'ghost', which the cluster does not have (its nodes: cpu-1, kwok-gpu-1, not-in-config)",
    );
  } finally {
    writeStackConfig(e2e.dir, "e2e", config(CLUSTER));
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

test("up brings the gateway and every cluster service up, on the planned NodePorts", async () => {
  const kc = plane.kubeConfig();
  expect(await availableDeployments(kc, "e2e-cluster")).toEqual([
    "ambassador/ambassador",
    "controllers/e2e-cluster-controller",
    "controllers/grpc-proxy",
    "controllers/membership-server",
    "metrics/metrics-writer",
  ]);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const mongo = await apps.readNamespacedStatefulSet({
    name: "cluster-metrics",
    namespace: "metrics",
  });
  expect(mongo.status?.readyReplicas).toBe(1);
  const collector = await apps.readNamespacedDaemonSet({
    name: "metrics-collector",
    namespace: "metrics",
  });
  // One collector per node, the node outside the config included.
  expect([collector.status?.desiredNumberScheduled, collector.status?.numberReady]).toEqual([3, 3]);
  const gateway = await apps.readNamespacedDeployment({
    name: "ambassador",
    namespace: "ambassador",
  });
  expect(gateway.status?.availableReplicas).toBe(1);
  expect(await nodePortServices(kc)).toEqual([
    "ambassador/ambassador:443 -> 32009",
    "ambassador/ambassador:80 -> 32000",
    "controllers/e2e-cluster-controller-svc:10000 -> 32303",
    "controllers/e2e-cluster-controller-svc:4000 -> 32300",
    "controllers/e2e-cluster-controller-svc:5555 -> 32305",
    "controllers/e2e-cluster-controller-svc:7500 -> 32302",
    "controllers/e2e-cluster-controller-svc:8500 -> 32304",
    "controllers/grpc-proxy:9000 -> 32306",
    "controllers/membership-server-svc:8080 -> 30501",
    "metrics/metrics-writer-api:5000 -> 32301",
  ]);
  expect(await crdExists(kc, "mappings.getambassador.io")).toBe(true);
  expect(
    (await labelledObjects(kc, "e2e-cluster")).filter((o) => /^(Network|Cluster)/.test(o)),
  ).toEqual([
    // The gateway chart's objects carry the cluster's labels too (a transform on the chart).
    "ClusterRole aios:e2e-cluster:e2e-cluster-controller",
    "ClusterRole aios:e2e-cluster:membership-server",
    "ClusterRole aios:e2e-cluster:metrics-collector",
    "ClusterRole ambassador-ambassador",
    "ClusterRoleBinding aios:e2e-cluster:e2e-cluster-controller",
    "ClusterRoleBinding aios:e2e-cluster:membership-server",
    "ClusterRoleBinding aios:e2e-cluster:metrics-collector",
    "ClusterRoleBinding ambassador-ambassador",
    "NetworkPolicy controllers/e2e-cluster-controller",
    "NetworkPolicy metrics/cluster-metrics",
    "NetworkPolicy metrics/metrics-writer",
  ]);
  // The Services have endpoints: the pods kwok runs are ready behind them.
  const slices = await kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({
    namespace: "metrics",
    labelSelector: "kubernetes.io/service-name=metrics-writer-svc",
  });
  expect(
    slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready)),
  ).toHaveLength(1);
});

test("the cluster is registered with the AIOS network, and its urlMap written once services are up", async () => {
  const entry = network.clusters.get("e2e-cluster") as any;
  expect(entry).toMatchObject({ id: "e2e-cluster", regionId: "local" });
  expect(
    entry.nodes.nodeData.map((n: any) => Object.keys(n).includes("kubernetesNodeName")),
  ).toEqual([false, false]);
  const outputs = await e2e.stack.outputs();
  expect(entry.config.urlMap).toEqual(outputs.urlMap.value);
  expect(Object.values(entry.config.urlMap).every((v) => typeof v === "string")).toBe(true);
  // Registered through the Parser's wrapper, then the urlMap through the gateway (a field map).
  const calls = network.requests.map((r) => `${r.method} ${r.path}`);
  expect(calls.indexOf("POST /api/createCluster")).toBeLessThan(
    calls.indexOf("PUT /clusters/update/e2e-cluster"),
  );
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
  const kc = plane.kubeConfig();
  expect(await labelledObjects(kc, "e2e-cluster")).toEqual([]);
  // The urlMap was cleared, then the entry removed: the network holds nothing of this cluster.
  expect(network.clusters.size).toBe(0);
  expect(network.requests.map((r) => `${r.method} ${r.path}`).slice(-3)).toContain(
    "DELETE /clusters/delete/e2e-cluster",
  );
  expect(await namespaceExists("ambassador")).toBe(false);
  expect(await crdExists(kc, "mappings.getambassador.io")).toBe(false);
  expect(await nodePortServices(kc)).toEqual([]);
  const remaining = await e2e.stack.exportStack();
  const deployment = remaining.deployment as { resources?: unknown[] };
  expect(deployment.resources ?? []).toHaveLength(0);
});
