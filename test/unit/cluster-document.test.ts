/** The AIOS cluster document: the seed accepted, aggregates, and malformed documents rejected. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as fc from "fast-check";
import { ConfigError, parseStackConfig } from "../../components";
import { clusterDocumentJsonSchema } from "../../components/config";
import { minimalCluster, SEED_CLUSTER, NETWORK } from "../support/fixtures";

function problemPaths(cluster: unknown): string[] {
  try {
    parseStackConfig({ network: NETWORK, cluster });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map((p) => p.path);
  }
  throw new Error("expected the document to be rejected");
}

const base = () => structuredClone(minimalCluster("c1", [["n1"], ["n2"]])) as Record<string, any>;

test("the onboarding seed's example document parses, aggregates checked", () => {
  const { cluster } = parseStackConfig({ network: NETWORK, cluster: SEED_CLUSTER });
  expect(cluster.id).toBe("cluster-west-vision-001");
  expect(cluster.gpus).toEqual({ count: 3, memory: 49152 });
  expect(cluster.vcpus).toEqual({ count: 48 });
  expect(cluster.memory).toBe(196608);
  expect(cluster.nodes.count).toBe(2);
  expect(cluster.config).toMatchObject({
    publicHostname: "cluster-west-vision-001.company.net",
    useGateway: true,
    policyExecutionMode: "local",
  });
});

test("omitted aggregates are computed from the nodes, and model names from the GPUs", () => {
  const doc = structuredClone(SEED_CLUSTER) as Record<string, unknown>;
  for (const key of ["gpus", "vcpus", "memory", "swap", "storage", "network"]) {
    delete doc[key];
  }
  const nodes = doc.nodes as { count?: number; nodeData: { gpus: { modelNames?: string[] } }[] };
  delete nodes.count;
  delete nodes.nodeData[0].gpus.modelNames;
  const { cluster } = parseStackConfig({ network: NETWORK, cluster: doc });
  expect(cluster.gpus).toEqual({ count: 3, memory: 49152 });
  expect(cluster.storage).toEqual({ disks: 3, size: 1572864 });
  expect(cluster.network).toEqual({ interfaces: 3, txBandwidth: 15000, rxBandwidth: 15000 });
  expect(cluster.swap).toBe(12288);
  expect(cluster.nodes.count).toBe(2);
  expect(cluster.nodes.nodeData[0].gpus.modelNames).toEqual(["NVIDIA A100"]);
});

const MALFORMED: [string, (d: Record<string, any>) => void, string[]][] = [
  ["id with capitals", (d) => (d.id = "Cluster"), ["aios-infra:cluster.id"]],
  ["id too long", (d) => (d.id = "a".repeat(64)), ["aios-infra:cluster.id"]],
  ["missing regionId", (d) => delete d.regionId, ["aios-infra:cluster.regionId"]],
  ["empty regionId", (d) => (d.regionId = ""), ["aios-infra:cluster.regionId"]],
  ["missing nodes", (d) => delete d.nodes, ["aios-infra:cluster.nodes"]],
  ["empty nodeData", (d) => (d.nodes.nodeData = []), ["aios-infra:cluster.nodes.nodeData"]],
  ["count mismatch", (d) => (d.nodes.count = 5), ["aios-infra:cluster.nodes.count"]],
  [
    "duplicate node id",
    (d) => (d.nodes.nodeData[1].id = "n1"),
    ["aios-infra:cluster.nodes.nodeData[1].id"],
  ],
  [
    "node id not a label value",
    (d) => (d.nodes.nodeData[0].id = "a b"),
    ["aios-infra:cluster.nodes.nodeData[0].id"],
  ],
  [
    "negative memory",
    (d) => (d.nodes.nodeData[0].memory = -1),
    ["aios-infra:cluster.nodes.nodeData[0].memory"],
  ],
  [
    "fractional vcpus",
    (d) => (d.nodes.nodeData[1].vcpus.count = 1.5),
    ["aios-infra:cluster.nodes.nodeData[1].vcpus.count"],
  ],
  [
    "memory as a string",
    (d) => (d.nodes.nodeData[0].memory = "64GB"),
    ["aios-infra:cluster.nodes.nodeData[0].memory"],
  ],
  [
    "GPU count disagrees with the GPU list",
    (d) =>
      (d.nodes.nodeData[0].gpus = {
        count: 2,
        memory: 10,
        gpus: [{ modelName: "L4", memory: 10 }],
      }),
    ["aios-infra:cluster.nodes.nodeData[0].gpus.count"],
  ],
  [
    "GPU memory disagrees with the GPU list",
    (d) =>
      (d.nodes.nodeData[0].gpus = {
        count: 1,
        memory: 99,
        gpus: [{ modelName: "L4", memory: 10 }],
      }),
    ["aios-infra:cluster.nodes.nodeData[0].gpus.memory"],
  ],
  [
    "GPU without a model",
    (d) =>
      (d.nodes.nodeData[0].gpus = { count: 1, memory: 1, gpus: [{ modelName: "", memory: 1 }] }),
    ["aios-infra:cluster.nodes.nodeData[0].gpus.gpus[0].modelName"],
  ],
  ["aggregate memory wrong", (d) => (d.memory = 1), ["aios-infra:cluster.memory"]],
  ["aggregate vcpus wrong", (d) => (d.vcpus = { count: 1 }), ["aios-infra:cluster.vcpus.count"]],
  [
    "aggregate network wrong",
    (d) => (d.network = { interfaces: 9, txBandwidth: 0, rxBandwidth: 0 }),
    ["aios-infra:cluster.network.interfaces"],
  ],
  ["missing config", (d) => delete d.config, ["aios-infra:cluster.config"]],
  ["missing publicHostname", (d) => (d.config = {}), ["aios-infra:cluster.config.publicHostname"]],
  [
    "publicHostname with a scheme",
    (d) => (d.config.publicHostname = "http://x.example"),
    ["aios-infra:cluster.config.publicHostname"],
  ],
  [
    "useGateway as a string",
    (d) => (d.config.useGateway = "true"),
    ["aios-infra:cluster.config.useGateway"],
  ],
  [
    "unknown execution mode",
    (d) => (d.config.policyExecutionMode = "cloud"),
    ["aios-infra:cluster.config.policyExecutionMode"],
  ],
  [
    "misspelt config key",
    (d) => (d.config.usegateway = true),
    ["aios-infra:cluster.config.usegateway"],
  ],
  ["tags not a list", (d) => (d.tags = "gpu"), ["aios-infra:cluster.tags"]],
  [
    "metadata without owner",
    (d) => delete d.clusterMetadata.owner,
    ["aios-infra:cluster.clusterMetadata.owner"],
  ],
  [
    "missing clusterMetadata",
    (d) => delete d.clusterMetadata,
    ["aios-infra:cluster.clusterMetadata"],
  ],
];

test.each(MALFORMED)("rejects a document with %s, naming the path", (_why, mutate, paths) => {
  const doc = base();
  mutate(doc);
  expect(problemPaths(doc)).toEqual(paths);
});

test("any generated invalid document yields path-naming problems, never another error", () => {
  const mutation = fc.record({
    path: fc.constantFrom("id", "regionId", "nodes", "config", "tags", "memory", "clusterMetadata"),
    value: fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.anything()),
      fc.boolean(),
    ),
  });
  fc.assert(
    fc.property(mutation, ({ path: key, value }) => {
      const doc = base();
      doc[key] = value;
      try {
        parseStackConfig({ network: NETWORK, cluster: doc });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        for (const p of (e as ConfigError).problems) {
          expect(p.path.startsWith(`aios-infra:cluster.${key}`)).toBe(true);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test("the committed JSON Schema is the one generated from the zod schema", () => {
  const committed = fs.readFileSync(
    path.join(__dirname, "..", "..", "schema", "cluster-document.schema.json"),
    "utf8",
  );
  expect(JSON.parse(committed)).toEqual(clusterDocumentJsonSchema());
  expect(clusterDocumentJsonSchema()).toMatchObject({
    required: ["id", "regionId", "nodes", "config", "clusterMetadata"],
  });
});
