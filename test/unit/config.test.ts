import * as fc from "fast-check";
import { ConfigError, parseStackConfig } from "../../components";
import { minimalCluster, NETWORK, withNetwork } from "../support/fixtures";
import { configProblems } from "../support/config-problems";

const valid = {
  environment: "dev",
  cluster: minimalCluster("cluster-1", [["node-a"], ["gpu-1", "worker-7.lab"]]),
};
const cluster = (nodeData: unknown[], extra: Record<string, unknown> = {}) => ({
  ...minimalCluster("c", []),
  nodes: { nodeData, ...extra },
});

/** The problem lines of the error thrown for `raw`. */
const problems = (raw: unknown, unknownKeys: string[] = []): string[] =>
  configProblems(() => parseStackConfig(withNetwork(raw), unknownKeys));

describe("parseStackConfig", () => {
  test("accepts a valid document and applies defaults", () => {
    expect(parseStackConfig({ network: NETWORK, ...valid })).toMatchObject({
      environment: "dev",
      clusterId: "cluster-1",
      nodes: [
        { id: "node-a", kubernetesNodeName: "node-a" },
        { id: "gpu-1", kubernetesNodeName: "worker-7.lab" },
      ],
    });
    expect(parseStackConfig({ network: NETWORK, cluster: valid.cluster }).environment).toBe("dev");
  });

  test("fails naming the missing cluster document", () => {
    expect(problems({})).toEqual(["aios-infra:cluster: is required (object) (received nothing)"]);
  });

  test("fails on an invalid cluster id and environment, listing both at once", () => {
    expect(
      problems({ environment: "prod", cluster: { ...valid.cluster, id: "Cluster_1" } }),
    ).toEqual([
      'aios-infra:environment: Invalid option: expected one of "dev"|"staging"|"production" (received "prod")',
      "aios-infra:cluster.id: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (received \"Cluster_1\")",
    ]);
  });

  test("fails on an empty node list", () => {
    expect(problems({ cluster: cluster([]) })).toEqual([
      "aios-infra:cluster.nodes.nodeData: must list at least one node (received [])",
    ]);
  });

  test("fails on duplicate node ids and shared Kubernetes node names", () => {
    const nodeData = [
      { id: "a" },
      { id: "a" },
      { id: "b", kubernetesNodeName: "host-1" },
      { id: "c", kubernetesNodeName: "host-1" },
    ];
    expect(problems({ cluster: cluster(nodeData) })).toEqual([
      'aios-infra:cluster.nodes.nodeData[1].id: duplicates nodes.nodeData[0] (node ids must be unique) (received "a")',
      'aios-infra:cluster.nodes.nodeData[3].kubernetesNodeName: duplicates nodes.nodeData[2] (each Kubernetes node may carry only one AIOS node) (received "host-1")',
    ]);
  });

  test("fails when nodes.count disagrees with nodeData", () => {
    expect(problems({ cluster: cluster([{ id: "a" }], { count: 3 }) })).toEqual([
      "aios-infra:cluster.nodes.count: must equal the number of entries in nodes.nodeData (1), or be omitted (received 3)",
    ]);
  });

  test("fails on node ids that cannot be label values and on invalid node names", () => {
    expect(
      problems({ cluster: cluster([{ id: "-bad" }, { id: "ok", kubernetesNodeName: "Upper" }]) }),
    ).toEqual([
      "aios-infra:cluster.nodes.nodeData[0].id: must be a valid label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit (received \"-bad\")",
      "aios-infra:cluster.nodes.nodeData[1].kubernetesNodeName: must be a Kubernetes node name (DNS-1123 subdomain): lowercase letters, digits, '-' and '.' (received \"Upper\")",
    ]);
  });

  test("fails on misspelt settings, inside the document and in the namespace", () => {
    expect(problems({ cluster: { ...valid.cluster, regoinId: "eu" } }, ["kubeconfg"])).toEqual([
      "aios-infra:kubeconfg: is not a known setting; known settings: environment, cluster, nodePorts, images, verifyNodes, network, gateway, metricsStorage, blocks, addons, registration, infrastructure, networkStack, clusterStack, virtualNodes, clusterAccess, operator, selfHealing, kubeconfig, interlinkCredentials, selfHealingSecrets (received a value)",
      'aios-infra:cluster.regoinId: is not a known setting; remove it or check its spelling (received "eu")',
    ]);
  });

  test("the aggregated message lists every problem and how to fix them", () => {
    expect(() => parseStackConfig({ network: NETWORK, environment: 1, cluster: "x" })).toThrow(
      [
        "invalid stack configuration (2 problems):",
        '  - aios-infra:environment: Invalid option: expected one of "dev"|"staging"|"production" (received 1)',
        '  - aios-infra:cluster: Invalid input: expected object, received string (received "x")',
        "Fix these values in Pulumi.<stack>.yaml (or with `pulumi config set`) and run again.",
      ].join("\n"),
    );
  });

  test("any malformed input yields a ConfigError naming config paths, never another error", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (environment, cluster) => {
        try {
          parseStackConfig({ network: NETWORK, environment, cluster });
          return true; // fc.anything() can, rarely, build a valid document
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          const { problems: list } = e as ConfigError;
          expect(list.length).toBeGreaterThan(0);
          for (const p of list) {
            expect(p.path).toMatch(/^aios-infra:(environment|cluster)/);
          }
          return true;
        }
      }),
      { numRuns: 500 },
    );
  });
});
