/**
 * interLink virtual nodes in the program, under mocks: the objects each node gets, the document
 * node marked virtual and not label-patched, an offloaded block's chart placed on the node, and
 * the refusals at preview (unknown node, offload rules, remote credentials never echoed).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "../../components";
import { credentialProblems } from "../../components/interlink";
import { virtualNodesSchema } from "../../components/interlink";
import { minimalCluster, NETWORK } from "../support/fixtures";
import { recordRegistrations, type Registration } from "../support/mocks";
import { runProgram } from "../support/program-runner";

const registrations: Registration[] = recordRegistrations();
const CLUSTER = minimalCluster("edge", [["node-1"], ["hpc-a100"], ["cloud-h100"]]);
CLUSTER.nodes.nodeData[1].gpus = {
  count: 1,
  memory: 81920,
  gpus: [{ modelName: "NVIDIA A100", memory: 81920 }],
};
const VIRTUAL_NODES = [
  {
    nodeId: "hpc-a100",
    backend: {
      mode: "in-cluster",
      plugin: { image: "registry.example.com/slurm-plugin:0.6.2", config: "SidecarPort: 4000\n" },
    },
  },
  {
    nodeId: "cloud-h100",
    backend: { mode: "remote", url: "https://il.example.org", auth: "token" },
  },
];
const HELM_BLOCK = {
  id: "blk-llm",
  name: "vllm",
  offload: "hpc-a100",
  system: {
    kind: "helm",
    chart: { repository: "https://charts.example.org", name: "vllm", version: "1.0.0" },
    values: { replicaCount: 1 },
  },
};
const TOKEN = "s3cr3t-token-value";
const byName = (name: string) => registrations.find((r) => r.name === name)?.inputs as any;

describe("a cluster with an in-cluster and a remote virtual node", () => {
  let outputs: Record<string, any>;
  beforeAll(async () => {
    outputs = await runProgram(registrations, {
      "aios-infra:cluster": CLUSTER,
      "aios-infra:virtualNodes": VIRTUAL_NODES,
      "aios-infra:interlinkCredentials": { "cloud-h100": { token: TOKEN } },
      "aios-infra:blocks": [HELM_BLOCK],
    });
  });

  test("each virtual node: its Node, config files, pod and access; only real nodes are patched", () => {
    const names = registrations
      .filter((r) => r.name.startsWith("virtual-nodes"))
      .map((r) => `${r.type} ${r.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "kubernetes:core/v1:Namespace virtual-nodes-namespace",
        "kubernetes:core/v1:Node virtual-nodes-hpc-a100-node",
        "kubernetes:core/v1:ConfigMap virtual-nodes-hpc-a100-vk-config",
        "kubernetes:core/v1:ConfigMap virtual-nodes-hpc-a100-interlink-config",
        "kubernetes:core/v1:Secret virtual-nodes-hpc-a100-plugin-config",
        "kubernetes:apps/v1:Deployment virtual-nodes-hpc-a100-kubelet-deployment",
        "kubernetes:core/v1:Node virtual-nodes-cloud-h100-node",
        "kubernetes:core/v1:ConfigMap virtual-nodes-cloud-h100-vk-config",
        "kubernetes:core/v1:Secret virtual-nodes-cloud-h100-credentials",
      ]),
    );
    const patched = registrations
      .filter((r) => r.type === "kubernetes:core/v1:NodePatch")
      .map((r) => (r.inputs as any).metadata.name);
    expect(patched).toEqual(["node-1"]);
    expect(byName("virtual-nodes-hpc-a100-node").metadata.labels.nodeID).toBe("hpc-a100");
    const vkConfig = byName("virtual-nodes-hpc-a100-vk-config").data["InterLinkConfig.yaml"];
    expect(vkConfig).toContain(
      "Accelerators:\n    - ResourceType: nvidia.com/gpu\n      Model: NVIDIA-A100\n      Available: 1",
    );
    // The credential reaches the Secret as a Pulumi secret (the engine's secret signature).
    expect(byName("virtual-nodes-cloud-h100-credentials").stringData).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: { token: TOKEN },
    });
    // No cluster-admin, no wildcard in what the virtual kubelets get.
    const rbac = registrations.filter(
      (r) => r.name.startsWith("virtual-nodes") && /Role(Binding)?$/.test(r.type),
    );
    expect(rbac.length).toBeGreaterThan(0);
    expect(JSON.stringify(rbac)).not.toMatch(/cluster-admin|"\*"/);
  });

  test("outputs: each virtual node's name and placement", () => {
    expect(outputs.virtualNodes["hpc-a100"]).toEqual({
      nodeName: "hpc-a100",
      placement: {
        nodeSelector: { "kubernetes.io/hostname": "hpc-a100" },
        tolerations: [
          { key: "virtual-node.interlink/no-schedule", operator: "Exists", effect: "NoSchedule" },
        ],
      },
    });
  });

  test("the offloaded block's chart values carry the node's nodeSelector and tolerations", () => {
    expect(byName("blocks-blk-llm-release").values).toEqual({
      replicaCount: 1,
      nodeSelector: { "kubernetes.io/hostname": "hpc-a100" },
      tolerations: [
        { key: "virtual-node.interlink/no-schedule", operator: "Exists", effect: "NoSchedule" },
      ],
    });
  });
});

const parse = (extra: Record<string, unknown>) => () =>
  parseStackConfig({ cluster: CLUSTER, network: NETWORK, ...extra });

test("a virtual node must name a document node with a short DNS-label name", () => {
  expect(parse({ virtualNodes: [{ ...VIRTUAL_NODES[0], nodeId: "nope" }] })).toThrow(
    'aios-infra:virtualNodes[0].nodeId: names no node of aios-infra:cluster.nodes.nodeData (ids: node-1, hpc-a100, cloud-h100) (received "nope")',
  );
});

test("offload: a declared virtual node, a Helm system, no placement of its own", () => {
  expect(parse({ virtualNodes: VIRTUAL_NODES, blocks: [{ ...HELM_BLOCK, offload: "x" }] })).toThrow(
    "aios-infra:blocks[0].offload: names no virtual node; declared: hpc-a100, cloud-h100",
  );
  expect(
    parse({
      virtualNodes: VIRTUAL_NODES,
      blocks: [
        {
          id: "blk-ext",
          name: "ext",
          offload: "hpc-a100",
          system: { kind: "external", urls: { server_url: "http://x.example.org" } },
        },
      ],
    }),
  ).toThrow(
    "applies to Helm systems (their pods are placed through the chart values); this system is 'external'",
  );
  expect(
    parse({
      virtualNodes: VIRTUAL_NODES,
      blocks: [{ ...HELM_BLOCK, system: { ...HELM_BLOCK.system, values: { tolerations: [] } } }],
    }),
  ).toThrow("aios-infra:blocks[0].system.values.tolerations: is set by the stack from offload");
  expect(parse({ blocks: [HELM_BLOCK] })).toThrow(ConfigError);
});

test("a remote node needs its credential of the right kind; the value is never echoed", () => {
  const nodes = virtualNodesSchema.parse(VIRTUAL_NODES);
  expect(credentialProblems(nodes, undefined)).toEqual([
    {
      path: "aios-infra:interlinkCredentials.cloud-h100",
      message:
        'is required for the remote virtual node cloud-h100: set it with `pulumi config set --secret aios-infra:interlinkCredentials \'{"cloud-h100": {"token": "…"}}\'`',
      received: "nothing",
    },
  ]);
  const wrong = credentialProblems(nodes, { "cloud-h100": { clientCertificate: TOKEN } });
  expect(wrong).toEqual([
    {
      path: "aios-infra:interlinkCredentials.cloud-h100",
      message: "must be {token} (backend.auth is token)",
      received: "a value",
    },
  ]);
  expect(JSON.stringify(wrong)).not.toContain(TOKEN);
  expect(credentialProblems(nodes, { "cloud-h100": { token: TOKEN } })).toEqual([]);
});

test("without the credential the program refuses at preview and creates nothing", async () => {
  const logged = jest.spyOn(pulumi.log, "error").mockResolvedValue(undefined);
  const outputs = await runProgram(registrations, {
    "aios-infra:cluster": CLUSTER,
    "aios-infra:virtualNodes": VIRTUAL_NODES,
  });
  expect(outputs).toEqual({});
  expect(registrations).toEqual([]);
  expect(String(logged.mock.calls[0]?.[0])).toContain(
    "aios-infra:interlinkCredentials.cloud-h100: is required",
  );
  logged.mockRestore();
});
