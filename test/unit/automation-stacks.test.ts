/**
 * Stacks of a project directory, their selection and their run order: network → cluster → blocks
 * from the references between them; destroy in reverse.
 */
import * as path from "node:path";
import { runGraph, waves } from "../../automation/run-order";
import { selectStacks, SelectionError, type Selection } from "../../automation/selection";
import { buildCatalog, loadCatalog, referencedStackName } from "../../automation/stack-catalog";
import { PROJECT_DIR } from "../../automation/pulumi/workspace";

const cluster = (id: string, extra: Record<string, unknown> = {}) => ({
  "aios-infra:cluster": { id },
  ...extra,
});
// A network's cluster stack, two clusters taking its endpoints, blocks on one of them, and a
// production cluster referencing another project's stack (not ours to order).
const CATALOG = buildCatalog({
  net: cluster("mgmt", { "aios-infra:environment": "staging", "aios-infra:kubeconfig": "k" }),
  "eu-1": cluster("eu-1", {
    "aios-infra:environment": "staging",
    "aios-infra:networkStack": "organization/aios-infra/net",
  }),
  "us-1": cluster("us-1", {
    "aios-infra:environment": "staging",
    "aios-infra:networkStack": "net",
  }),
  "eu-1-blocks": {
    "aios-infra:environment": "staging",
    "aios-infra:clusterStack": "organization/aios-infra/eu-1",
  },
  prod: cluster("prod-1", {
    "aios-infra:environment": "production",
    "aios-infra:networkStack": "acme/other-project/net",
  }),
});
const none: Selection = { environments: [], clusters: [], stacks: [] };

test("roles, cluster ids and dependencies follow the references", () => {
  expect(CATALOG).toEqual([
    {
      name: "eu-1",
      environment: "staging",
      clusterId: "eu-1",
      role: "cluster",
      dependsOn: ["net"],
      hasKubeconfig: false,
    },
    {
      name: "eu-1-blocks",
      environment: "staging",
      clusterId: "eu-1",
      role: "blocks",
      dependsOn: ["eu-1"],
      hasKubeconfig: false,
    },
    {
      name: "net",
      environment: "staging",
      clusterId: "mgmt",
      role: "network",
      dependsOn: [],
      hasKubeconfig: true,
    },
    {
      name: "prod",
      environment: "production",
      clusterId: "prod-1",
      role: "cluster",
      dependsOn: [],
      hasKubeconfig: false,
    },
    {
      name: "us-1",
      environment: "staging",
      clusterId: "us-1",
      role: "cluster",
      dependsOn: ["net"],
      hasKubeconfig: false,
    },
  ]);
});

test.each([
  ["organization/aios-infra/net", "net"],
  ["acme/aios-infra/eu-1", "eu-1"],
  ["net", "net"],
  ["acme/other-project/net", undefined],
  ["a/b", undefined],
  [42, undefined],
])("stack reference %j is local stack %j", (reference, name) => {
  expect(referencedStackName(reference)).toBe(name);
});

test("the repository's stack files: dev, staging and production clusters", () => {
  expect(loadCatalog(PROJECT_DIR).map((s) => [s.name, s.environment, s.role])).toEqual([
    ["dev", "dev", "cluster"],
    ["production", "production", "cluster"],
    ["staging", "staging", "cluster"],
  ]);
  expect(loadCatalog(path.join(PROJECT_DIR, "policies", "config"))).toEqual([]);
});

test("filters combine: any value of a filter, every filter given", () => {
  const names = (s: Partial<Selection>) =>
    selectStacks(CATALOG, { ...none, ...s }).map((e) => e.name);
  expect(names({})).toEqual(["eu-1", "eu-1-blocks", "net", "prod", "us-1"]);
  expect(names({ environments: ["production"] })).toEqual(["prod"]);
  expect(names({ clusters: ["eu-1"] })).toEqual(["eu-1", "eu-1-blocks"]);
  expect(names({ clusters: ["eu-1", "us-1"], environments: ["staging"] })).toEqual([
    "eu-1",
    "eu-1-blocks",
    "us-1",
  ]);
  expect(names({ stacks: ["net", "prod"], environments: ["staging"] })).toEqual(["net"]);
});

test("an unknown stack or an empty selection is refused, listing what exists", () => {
  expect(() => selectStacks(CATALOG, { ...none, stacks: ["eu-2"] })).toThrow(
    new SelectionError(
      "--stack: no stack file for 'eu-2'; stacks here: eu-1, eu-1-blocks, net, prod, us-1",
    ),
  );
  expect(() =>
    selectStacks(CATALOG, { ...none, environments: ["dev"], clusters: ["eu-1"] }),
  ).toThrow(
    "no stack matches --environment dev --cluster eu-1; stacks here: eu-1 (staging, cluster eu-1, cluster); eu-1-blocks (staging, cluster eu-1, blocks); net (staging, cluster mgmt, network)",
  );
});

test("up runs network → clusters → blocks; destroy the reverse", () => {
  expect(waves(runGraph(CATALOG, false))).toEqual([
    ["net", "prod"],
    ["eu-1", "us-1"],
    ["eu-1-blocks"],
  ]);
  expect(waves(runGraph(CATALOG, true))).toEqual([
    ["eu-1-blocks", "prod", "us-1"],
    ["eu-1"],
    ["net"],
  ]);
});

test("stacks outside the selection are not waited for", () => {
  const selected = CATALOG.filter((s) => s.name !== "net");
  expect(waves(runGraph(selected, false))).toEqual([["eu-1", "prod", "us-1"], ["eu-1-blocks"]]);
});

test("a reference cycle is refused, naming the stacks", () => {
  const cyclic = buildCatalog({
    a: cluster("a", { "aios-infra:networkStack": "b" }),
    b: cluster("b", { "aios-infra:networkStack": "a" }),
    c: cluster("c"),
  });
  expect(() => runGraph(cyclic, false)).toThrow(
    "stack references form a cycle among a, b (aios-infra:networkStack / aios-infra:clusterStack)",
  );
});

test("an operations stack runs after the cluster stack it reconciles, on that cluster", () => {
  const catalog = buildCatalog({
    "eu-1": cluster("eu-1"),
    "eu-1-ops": {
      "aios-infra:selfHealing": { stack: "organization/aios-infra/eu-1" },
      "aios-infra:kubeconfig": "k",
    },
  });
  expect(catalog[1]).toEqual({
    name: "eu-1-ops",
    environment: "dev",
    clusterId: "eu-1",
    role: "operations",
    dependsOn: ["eu-1"],
    hasKubeconfig: true,
  });
  expect(waves(runGraph(catalog, false))).toEqual([["eu-1"], ["eu-1-ops"]]);
  expect(waves(runGraph(catalog, true))).toEqual([["eu-1-ops"], ["eu-1"]]);
});
