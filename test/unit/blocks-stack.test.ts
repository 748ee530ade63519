/** Blocks-only stacks: config messages, and the program reading its cluster stack's outputs. */
import * as pulumi from "@pulumi/pulumi";
import { parseBlocksStackConfig } from "../../components";
import { NETWORK } from "../support/fixtures";
import { recordRegistrations, referencedStacks, type Registration } from "../support/mocks";
import { runProgram } from "../support/program-runner";
import { configProblems } from "../support/config-problems";

const registrations: Registration[] = recordRegistrations();
const CLUSTER_STACK = "organization/aios-infra/prod-eu-1";
const BLOCK = {
  id: "blk-1",
  name: "srv",
  system: { kind: "none" },
  initContainer: { image: "registry.local/init:1.0.0" },
};

const problems = (raw: Record<string, unknown>): string[] =>
  configProblems(() => parseBlocksStackConfig(raw, Object.keys(raw)));

test("a blocks-only stack refuses the cluster stack's settings and a malformed stack name", () => {
  expect(
    problems({ clusterStack: "prod-eu-1", nodePorts: { grpcProxy: 31000 }, blocks: [] }),
  ).toEqual([
    "aios-infra:nodePorts: is not used by a blocks-only stack (aios-infra:clusterStack is set; the cluster stack owns it); its settings: environment, clusterStack, blocks, images, kubeconfig (received a value)",
    "aios-infra:clusterStack: must be a fully qualified stack name <organization>/<project>/<stack> (file:// backends use the organization 'organization') (received \"prod-eu-1\")",
  ]);
  expect(parseBlocksStackConfig({ clusterStack: CLUSTER_STACK }, ["clusterStack"])).toEqual({
    kind: "blocks",
    environment: "dev",
    clusterStack: CLUSTER_STACK,
    blocks: [],
    images: {},
  });
});

test("the blocks go to the referenced cluster, with its id and network; its namespace stays the cluster stack's", async () => {
  referencedStacks[CLUSTER_STACK] = {
    clusterId: "prod-eu-1",
    network: NETWORK,
    registered: true,
    clusterDocument: { id: "prod-eu-1", config: { publicHostname: "10.0.0.7" } },
  };
  const outputs = await runProgram(registrations, {
    "aios-infra:verifyNodes": undefined,
    "aios-infra:network": undefined,
    "aios-infra:clusterStack": CLUSTER_STACK,
    "aios-infra:blocks": [BLOCK],
  });
  expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
    [
      "pulumi:pulumi:StackReference cluster-stack",
      "pulumi:providers:kubernetes k8s",
      "aios-infra:blocks:Blocks blocks",
      "aios-infra:blocks:ThirdPartyBlock blocks-blk-1",
      "kubernetes:core/v1:ConfigMap blocks-blk-1-init-sdk",
      "kubernetes:core/v1:ServiceAccount blocks-blk-1-init-sa",
      "kubernetes:rbac.authorization.k8s.io/v1:Role blocks-blk-1-init-role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding blocks-blk-1-init-rolebinding",
      "pulumi-nodejs:dynamic/aios-infra:InitContainer blocks-blk-1-init",
    ].sort(),
  );
  const init = registrations.find((r) => r.name === "blocks-blk-1-init")?.inputs as any;
  expect(init).toMatchObject({
    clusterId: "prod-eu-1",
    controllerUrl: "http://prod-eu-1-controller-svc.controllers.svc.cluster.local:4000",
    blockServiceUrl: NETWORK.blocks_db_url,
    // The cluster stack registers its cluster: the blocks DB is kept, documents proxied.
    blocksDb: { url: NETWORK.blocks_db_url },
    sdkEndpoint: { upstreamBlockServiceUrl: NETWORK.blocks_db_url },
  });
  const files = registrations.find((r) => r.name === "blocks-blk-1-init-sdk")?.inputs as any;
  expect(JSON.parse(files.data["cluster.json"])).toEqual({
    id: "prod-eu-1",
    config: { publicHostname: "10.0.0.7" },
  });
  expect(registrations.find((r) => r.name === "k8s")?.inputs.clusterIdentifier).toBe(
    "aios-prod-eu-1",
  );
  expect(outputs.clusterId).toBe("prod-eu-1");
  expect(outputs.clusterStack).toBe(CLUSTER_STACK);
});

test("a referenced stack without the cluster outputs fails at preview, naming it, and deploys nothing", async () => {
  referencedStacks["organization/aios-infra/empty"] = {};
  const logged = jest.spyOn(pulumi.log, "error").mockResolvedValue(undefined);
  const outputs = await runProgram(registrations, {
    "aios-infra:verifyNodes": undefined,
    "aios-infra:network": undefined,
    "aios-infra:clusterStack": "organization/aios-infra/empty",
    "aios-infra:blocks": [BLOCK],
  });
  expect(outputs).toEqual({});
  expect(registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:StackReference"]);
  expect(logged).toHaveBeenCalledWith(
    [
      "invalid stack configuration (1 problem):",
      '  - aios-infra:clusterStack: stack organization/aios-infra/empty has no clusterId output; reference a cluster stack that has been deployed (received "organization/aios-infra/empty")',
      "Fix these values in Pulumi.<stack>.yaml (or with `pulumi config set`) and run again.",
    ].join("\n"),
  );
  logged.mockRestore();
});

describe("a cluster stack taking the network's endpoints from a network stack", () => {
  const NETWORK_STACK = "organization/aios-infra/network-eu";
  const cluster = {
    id: "c2",
    regionId: "eu",
    nodes: { nodeData: [{ id: "n1" }] },
    config: { publicHostname: "h.example" },
    clusterMetadata: { name: "c2", description: "d", owner: "o" },
  };

  test("the endpoints come from the referenced stack's network output", async () => {
    referencedStacks[NETWORK_STACK] = {
      network: { ...NETWORK, cluster_db_url: "http://registry.network-eu:30101" },
    };
    const outputs = await runProgram(registrations, {
      "aios-infra:network": undefined,
      "aios-infra:networkStack": NETWORK_STACK,
      "aios-infra:cluster": cluster,
    });
    expect(outputs.network.cluster_db_url).toBe("http://registry.network-eu:30101");
    const membership = registrations.find((r) => r.name === "services-membership-deployment")
      ?.inputs as any;
    expect(membership.spec.template.spec.containers[0].env).toContainEqual({
      name: "CLUSTER_SERVICE_URL",
      value: "http://registry.network-eu:30101",
    });
  });

  test("both network and networkStack, or a stack without the output, fail naming the setting", async () => {
    const logged = jest.spyOn(pulumi.log, "error").mockResolvedValue(undefined);
    await runProgram(registrations, {
      "aios-infra:networkStack": NETWORK_STACK,
      "aios-infra:cluster": cluster,
    });
    expect(logged.mock.calls[0]?.[0]).toContain(
      `- aios-infra:networkStack: set either aios-infra:network or aios-infra:networkStack, not both (received "${NETWORK_STACK}")`,
    );
    referencedStacks["organization/aios-infra/nothing"] = {};
    await runProgram(registrations, {
      "aios-infra:network": undefined,
      "aios-infra:networkStack": "organization/aios-infra/nothing",
      "aios-infra:cluster": cluster,
    });
    expect(logged.mock.calls[1]?.[0]).toContain(
      "- aios-infra:networkStack: stack organization/aios-infra/nothing has no network output; reference a deployed network or cluster stack",
    );
    expect(registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:StackReference"]);
    logged.mockRestore();
  });
});
