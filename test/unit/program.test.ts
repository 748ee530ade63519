/**
 * The program under mocks: exactly which resources the default stack registers, with which
 * inputs, and what it exports.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_NODE_PORTS } from "../../components";
import { minimalCluster, withGpu } from "../support/fixtures";
import { recordRegistrations, setStackConfig, type Registration } from "../support/mocks";
// The module only exports the program function; nothing registers until it is called.
import program = require("../../index");

const registrations: Registration[] = recordRegistrations();
const CLUSTER = withGpu(minimalCluster("unit-cluster", [["gpu-1", "host-1"], ["cpu-1"]]), 0);

async function runProgram(config: Record<string, unknown>): Promise<Record<string, unknown>> {
  registrations.length = 0;
  // The node check reads a real cluster; it is covered by node-inventory and e2e tests.
  setStackConfig({ "aios-infra:verifyNodes": false, ...config });
  const outputs = await program();
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    resolved[key] = await new Promise((resolve) =>
      (value as { apply?: (f: (v: unknown) => void) => void }).apply !== undefined
        ? (value as pulumi.Output<unknown>).apply(resolve)
        : resolve(value),
    );
  }
  // Let every registration reach the mocks.
  await new Promise((r) => setTimeout(r, 50));
  return resolved;
}

const labels = (name: string, component: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/instance": "unit-cluster",
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/part-of": "aios",
  "app.kubernetes.io/managed-by": "pulumi",
  "aios.io/cluster-id": "unit-cluster",
});

describe("the default stack", () => {
  let outputs: Record<string, unknown>;
  beforeAll(async () => {
    outputs = await runProgram({ "aios-infra:cluster": CLUSTER });
  });

  test("registers exactly the provider, the namespaces and one NodePatch per node", () => {
    expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "aios-infra:cluster:Namespaces aios",
        "aios-infra:cluster:NodeLabels nodes",
        "kubernetes:core/v1:Namespace aios-blocks",
        "kubernetes:core/v1:Namespace aios-controllers",
        "kubernetes:core/v1:Namespace aios-metrics",
        "kubernetes:core/v1:Namespace aios-vdags",
        "kubernetes:core/v1:NodePatch nodes-cpu-1",
        "kubernetes:core/v1:NodePatch nodes-gpu-1",
        "pulumi:providers:kubernetes k8s",
      ].sort(),
    );
  });

  test("gives every namespace its fixed name and the recommended labels", () => {
    for (const ns of ["blocks", "controllers", "metrics", "vdags"]) {
      const reg = registrations.find((r) => r.name === `aios-${ns}`);
      expect(reg?.inputs.metadata).toEqual({ name: ns, labels: labels(ns, "namespace") });
    }
  });

  test("labels each configured node with its nodeID and the cluster id", () => {
    expect(registrations.find((r) => r.name === "nodes-gpu-1")?.inputs.metadata).toEqual({
      name: "host-1",
      labels: { nodeID: "gpu-1", "aios.io/cluster-id": "unit-cluster" },
      annotations: { "gpu.aios/info": '[{"modelName": "NVIDIA L4", "memory": 24576}]' },
    });
    expect(registrations.find((r) => r.name === "nodes-cpu-1")?.inputs.metadata).toEqual({
      name: "cpu-1",
      labels: { nodeID: "cpu-1", "aios.io/cluster-id": "unit-cluster" },
    });
  });

  test("pins the provider to the cluster, with server-side apply", () => {
    const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs).toMatchObject({
      clusterIdentifier: "aios-unit-cluster",
      enableServerSideApply: "true",
    });
    expect(provider?.inputs).not.toHaveProperty("kubeconfig");
  });

  test("exports the cluster id, namespaces and node ids", () => {
    expect(outputs).toEqual({
      clusterId: "unit-cluster",
      environment: "dev",
      namespaces: ["blocks", "controllers", "metrics", "vdags"],
      nodeIds: { "host-1": "gpu-1", "cpu-1": "cpu-1" },
      nodePorts: DEFAULT_NODE_PORTS,
      urlMap: {
        controllerService: "http://127.0.0.1:32300",
        metricsService: "http://127.0.0.1:32301",
        blocksQuery: "http://127.0.0.1:32302",
        publicGateway: "http://127.0.0.1:32306",
        parameterUpdater: "http://127.0.0.1:32303",
        membershipServer: "http://127.0.0.1:30501",
      },
    });
  });
});

test("an invalid config registers nothing and exports nothing", async () => {
  const outputs = await runProgram({ "aios-infra:cluster": { id: "BAD" } });
  expect(outputs).toEqual({});
  expect(registrations).toEqual([]);
});

test("a kubeconfig from stack config reaches the provider as a secret, never in plain text", async () => {
  registrations.length = 0;
  setStackConfig(
    {
      "aios-infra:verifyNodes": false,
      "aios-infra:cluster": CLUSTER,
      "aios-infra:kubeconfig": "apiVersion: v1\nkind: Config\n# token: s3cr3t",
    },
    ["aios-infra:kubeconfig"],
  );
  await program();
  await new Promise((r) => setTimeout(r, 50));
  const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
  expect(JSON.stringify(provider?.inputs.kubeconfig)).toContain("s3cr3t");
  expect(provider?.inputs.kubeconfig).toMatchObject({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  });
});
