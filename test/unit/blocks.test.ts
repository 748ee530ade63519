/**
 * Third-party blocks under mocks — the three system kinds, the init container's identity and
 * lifecycle inputs — and the blocks settings' exact error messages.
 */
import * as path from "node:path";
import { ConfigError, parseStackConfig } from "../../components";
import { INIT_CONTAINER_RULES, serviceUrl } from "../../components/blocks";
import { sdkEndpointScript } from "../../components/blocks";
import { minimalCluster, NETWORK } from "../support/fixtures";
import { recordRegistrations, type Registration } from "../support/mocks";
import { runProgram } from "../support/program-runner";

const registrations: Registration[] = recordRegistrations();
const CLUSTER = minimalCluster("c1", [["n1"]]);
const INIT = { image: "registry.local/init:1.2.0" };

const blockResources = (blockId: string) =>
  registrations
    .filter((r) => r.name.startsWith(`blocks-${blockId}`))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
const byName = (name: string) => registrations.find((r) => r.name === name)?.inputs as any;

describe("a block of each system kind", () => {
  let outputs: Record<string, any>;
  beforeAll(async () => {
    outputs = await runProgram(registrations, {
      "aios-infra:cluster": CLUSTER,
      "aios-infra:blocks": [
        {
          id: "blk-helm",
          name: "triton",
          system: {
            kind: "helm",
            chart: { repository: "https://charts.example.org", name: "triton", version: "2.1.0" },
            values: { replicaCount: 2 },
          },
        },
        {
          id: "blk-ext",
          name: "vllm",
          namespace: "blocks",
          system: { kind: "external", urls: { server_url: "http://vllm.example.org:8000" } },
        },
        { id: "blk-init", name: "llama", system: { kind: "none" }, initContainer: INIT },
      ],
    });
  });

  test("helm: a pinned release named <blockId>-<name> in namespace third-party, no init container", () => {
    expect(blockResources("blk-helm")).toEqual([
      "aios-infra:blocks:ThirdPartyBlock blocks-blk-helm",
      "kubernetes:helm.sh/v3:Release blocks-blk-helm-release",
    ]);
    expect(byName("blocks-blk-helm-release")).toMatchObject({
      name: "blk-helm-triton",
      namespace: "third-party",
      chart: "triton",
      version: "2.1.0",
      repositoryOpts: { repo: "https://charts.example.org" },
      values: { replicaCount: 2 },
      timeout: 600,
      cleanupOnFail: true,
    });
    expect(outputs.blocks["blk-helm"]).toEqual({ initStatus: "none", urls: {} });
  });

  test("external: nothing deployed, its URLs passed through", () => {
    expect(blockResources("blk-ext")).toEqual(["aios-infra:blocks:ThirdPartyBlock blocks-blk-ext"]);
    expect(outputs.blocks["blk-ext"].urls).toEqual({ server_url: "http://vllm.example.org:8000" });
  });

  test("none: an init container with its own ServiceAccount and a namespace-scoped Role", () => {
    expect(blockResources("blk-init")).toEqual([
      "aios-infra:blocks:ThirdPartyBlock blocks-blk-init",
      "kubernetes:core/v1:ConfigMap blocks-blk-init-init-sdk",
      "kubernetes:core/v1:ServiceAccount blocks-blk-init-init-sa",
      "kubernetes:rbac.authorization.k8s.io/v1:Role blocks-blk-init-init-role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding blocks-blk-init-init-rolebinding",
      "pulumi-nodejs:dynamic/aios-infra:InitContainer blocks-blk-init-init",
    ]);
    expect(byName("blocks-blk-init-init-role")).toMatchObject({
      metadata: { name: "blk-init-init", namespace: "third-party" },
      rules: INIT_CONTAINER_RULES,
    });
    expect(byName("blocks-blk-init-init-rolebinding").roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: "blk-init-init",
    });
    const init = byName("blocks-blk-init-init");
    expect(init).toMatchObject({
      blockId: "blk-init",
      clusterId: "c1",
      namespace: "third-party",
      image: "registry.local/init:1.2.0",
      serviceAccountName: "blk-init-init",
      controllerUrl: "http://c1-controller-svc.controllers.svc.cluster.local:4000",
      blockServiceUrl: NETWORK.blocks_db_url,
      clusterServiceUrl: NETWORK.cluster_db_url,
      deadlineSeconds: 900,
      backoffLimit: 0,
      skipDelete: false,
      providerVersion: "2",
      statusSource: "sdk",
      sdkEndpoint: { image: "node:22.12.0-alpine3.21", port: 4000, configMap: "blk-init-init-sdk" },
    });
    // No kubeconfig or other credential among its inputs; no blocks DB unless registered.
    expect(Object.keys(init).filter((k) => /kube|token|password|blocksDb/i.test(k))).toEqual([]);
  });

  test("only the non-AIOS block namespaces are created, once", () => {
    expect(
      registrations
        .filter((r) => r.name.startsWith("blocks-namespaces"))
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual(["kubernetes:core/v1:Namespace blocks-namespaces-third-party"]);
  });

  test("the init container's Role grants no wildcard, nothing on RBAC objects, nothing cluster-wide", () => {
    for (const rule of INIT_CONTAINER_RULES) {
      expect([rule.apiGroups, rule.resources, rule.verbs].flat()).not.toContain("*");
      expect(rule.apiGroups).not.toContain("rbac.authorization.k8s.io");
    }
    expect(
      registrations.filter((r) => r.name.startsWith("blocks-") && r.type.includes("ClusterRole")),
    ).toEqual([]);
  });
});

test("a local chart installs by absolute path", async () => {
  await runProgram(registrations, {
    "aios-infra:cluster": CLUSTER,
    "aios-infra:blocks": [
      { id: "blk-local", name: "srv", system: { kind: "helm", chart: { path: "charts/srv" } } },
    ],
  });
  const release = byName("blocks-blk-local-release");
  expect(release.chart).toBe(path.resolve(__dirname, "..", "..", "charts/srv"));
  expect(release).not.toHaveProperty("version");
});

test("service URLs resolve by port name or number and name the ports a Service lacks", () => {
  const ports = [
    { name: "http", port: 8000 },
    { name: "grpc", port: 8001 },
  ];
  const at = { service: "s", namespace: "ns", scheme: "http", path: "/v2", ports };
  expect(serviceUrl({ ...at, port: "grpc" })).toBe("http://s.ns.svc.cluster.local:8001/v2");
  expect(serviceUrl({ ...at, port: 8000 })).toBe("http://s.ns.svc.cluster.local:8000/v2");
  expect(() => serviceUrl({ ...at, port: "metrics" })).toThrow(
    'Service ns/s has no port "metrics" (its ports: http:8000, grpc:8001)',
  );
});

test("invalid blocks are rejected with every problem, path and value", () => {
  let problems: string[] = [];
  try {
    parseStackConfig({
      network: NETWORK,
      cluster: CLUSTER,
      blocks: [
        {
          id: "Blk_1",
          name: "x",
          system: { kind: "helm", chart: { path: "c" }, urls: { ServerUrl: { port: 1 } } },
        },
        { id: "blk-2", name: "y", system: { kind: "none" } },
        { id: "blk-2", name: "z", system: { kind: "ftp" } },
        {
          id: "blk-4",
          name: "w",
          system: { kind: "external", urls: { server_url: "not a url" } },
          initContainer: { image: "Bad Image", deadlineSeconds: 1 },
        },
      ],
    });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    problems = (e as ConfigError).problems.map(
      (p) => `${p.path}: ${p.message} (received ${p.received})`,
    );
  }
  expect(problems).toEqual([
    "aios-infra:blocks[0].id: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit (received \"Blk_1\")",
    'aios-infra:blocks[0].system.urls.ServerUrl: must be a snake_case name such as server_url (received "ServerUrl")',
    'aios-infra:blocks[1].initContainer: a block whose system is \'none\' needs an initContainer to install it (received {"id":"blk-2","name":"y","namespace":"third-party","system":{"kind":"none"}})',
    "aios-infra:blocks[2].system.kind: Invalid discriminator value. Expected 'helm' | 'external' | 'none' (received {\"kind\":\"ftp\"})",
    'aios-infra:blocks[3].system.urls.server_url: must be an absolute URL such as http://triton.example.org:8000 (received "not a url")',
    'aios-infra:blocks[3].initContainer.image: must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>] (received "Bad Image")',
    "aios-infra:blocks[3].initContainer.deadlineSeconds: Too small: expected number to be >=5 (received 1)",
  ]);
});

test("a 'none' block without an init container, and a duplicated id, are named", () => {
  expect(() =>
    parseStackConfig({
      network: NETWORK,
      cluster: CLUSTER,
      blocks: [
        { id: "blk-2", name: "y", system: { kind: "none" } },
        { id: "blk-2", name: "z", system: { kind: "external", urls: {} } },
      ],
    }),
  ).toThrow(
    [
      "invalid stack configuration (2 problems):",
      '  - aios-infra:blocks[0].initContainer: a block whose system is \'none\' needs an initContainer to install it (received {"id":"blk-2","name":"y","namespace":"third-party","system":{"kind":"none"}})',
      '  - aios-infra:blocks[1].id: duplicates [0].id (block ids must be unique) (received "blk-2")',
    ].join("\n"),
  );
});

test("statusSource 'controller' is refused, naming the replacement; other values name what is allowed", () => {
  const withSource = (statusSource: unknown) => ({
    network: NETWORK,
    cluster: CLUSTER,
    blocks: [
      {
        id: "blk-sdk",
        name: "s",
        system: { kind: "none" },
        initContainer: { ...INIT, statusSource },
      },
    ],
  });
  expect(() => parseStackConfig(withSource("controller"))).toThrow(
    "  - aios-infra:blocks[0].initContainer.statusSource: 'controller' was removed: upstream's controller keeps a status entry only for init containers it launched and deletes it when finish arrives, so nothing is left to query; use 'sdk' (the default), where the lifecycle hosts the SDK's executeAction endpoint itself (received \"controller\")",
  );
  expect(() => parseStackConfig(withSource("logs"))).toThrow(
    "  - aios-infra:blocks[0].initContainer.statusSource: must be 'sdk' (images built on the AIOS init-container SDK) or 'termination-message' (received \"logs\")",
  );
});

test("an SDK block: the endpoint's ConfigMap holds the script and both documents; blockData merges in", async () => {
  await runProgram(registrations, {
    "aios-infra:cluster": CLUSTER,
    "aios-infra:images": { sdkEndpoint: "registry.local/node:22.12.0" },
    "aios-infra:blocks": [
      {
        id: "blk-sdk",
        name: "vllm",
        system: { kind: "none" },
        initContainer: {
          ...INIT,
          sdkEndpointPort: 4100,
          blockData: { blockInitData: { model: "llama-3" }, parameters: { tp: 2 } },
        },
      },
    ],
  });
  const files = byName("blocks-blk-sdk-init-sdk");
  expect(files.metadata).toMatchObject({ name: "blk-sdk-init-sdk", namespace: "third-party" });
  expect(files.data["endpoint.js"]).toBe(sdkEndpointScript());
  expect(JSON.parse(files.data["block.json"])).toEqual({
    id: "blk-sdk",
    blockMetadata: { name: "vllm", namespace: "third-party", managedBy: "aios-infra" },
    component: {
      containerRegistryInfo: {
        componentMode: "third_party",
        initContainer: { image: "registry.local/init:1.2.0" },
      },
    },
    cluster: JSON.parse(files.data["cluster.json"]),
    blockInitData: { model: "llama-3" },
    initSettings: {},
    parameters: { tp: 2 },
    policies: {},
  });
  expect(JSON.parse(files.data["cluster.json"])).toMatchObject({
    id: "c1",
    config: CLUSTER.config,
  });
  expect(byName("blocks-blk-sdk-init").sdkEndpoint).toEqual({
    image: "registry.local/node:22.12.0",
    port: 4100,
    configMap: "blk-sdk-init-sdk",
  });
});

test("a termination-message block has no SDK endpoint; a registered cluster's SDK block keeps the blocks DB", async () => {
  await runProgram(registrations, {
    "aios-infra:cluster": CLUSTER,
    "aios-infra:network": {
      ...NETWORK,
      parser_url: "http://parser.test:30501",
      cluster_controller_gateway_url: "http://gw.test:30600",
    },
    "aios-infra:registration": { enabled: true },
    "aios-infra:blocks": [
      {
        id: "blk-tm",
        name: "a",
        system: { kind: "none" },
        initContainer: { ...INIT, statusSource: "termination-message" },
      },
      { id: "blk-reg", name: "b", system: { kind: "none" }, initContainer: INIT },
    ],
  });
  expect(byName("blocks-blk-tm-init-sdk")).toBeUndefined();
  expect(byName("blocks-blk-tm-init")).not.toHaveProperty("sdkEndpoint");
  const registered = byName("blocks-blk-reg-init");
  expect(registered.sdkEndpoint).toEqual({
    image: "node:22.12.0-alpine3.21",
    port: 4000,
    configMap: "blk-reg-init-sdk",
    upstreamBlockServiceUrl: NETWORK.blocks_db_url,
    upstreamClusterServiceUrl: NETWORK.cluster_db_url,
  });
  expect(registered.blocksDb.url).toBe(NETWORK.blocks_db_url);
  expect(registered.blocksDb.document.id).toBe("blk-reg");
});

test("an external system's create and delete commands run through @pulumi/command, before its init container", async () => {
  await runProgram(registrations, {
    "aios-infra:cluster": CLUSTER,
    "aios-infra:blocks": [
      {
        id: "blk-ext",
        name: "vllm",
        system: {
          kind: "external",
          urls: { server_url: "http://vllm.example.org:8000" },
          commands: {
            create: "./scripts/vllm-up.sh",
            delete: "./scripts/vllm-down.sh",
            environment: { REGION: "eu" },
          },
        },
        initContainer: INIT,
      },
    ],
  });
  expect(blockResources("blk-ext")).toEqual([
    "aios-infra:blocks:ThirdPartyBlock blocks-blk-ext",
    "command:local:Command blocks-blk-ext-commands",
    "kubernetes:core/v1:ConfigMap blocks-blk-ext-init-sdk",
    "kubernetes:core/v1:ServiceAccount blocks-blk-ext-init-sa",
    "kubernetes:rbac.authorization.k8s.io/v1:Role blocks-blk-ext-init-role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding blocks-blk-ext-init-rolebinding",
    "pulumi-nodejs:dynamic/aios-infra:InitContainer blocks-blk-ext-init",
  ]);
  expect(byName("blocks-blk-ext-commands")).toEqual({
    create: "./scripts/vllm-up.sh",
    delete: "./scripts/vllm-down.sh",
    environment: { REGION: "eu", BLOCK_ID: "blk-ext", CLUSTER_ID: "c1" },
    triggers: ["./scripts/vllm-up.sh", "./scripts/vllm-down.sh"],
  });
});

test("reserved namespaces, over-long release names and env the lifecycle owns are refused", () => {
  let problems: string[] = [];
  try {
    parseStackConfig({
      network: NETWORK,
      cluster: CLUSTER,
      blocks: [
        {
          id: "blk-1",
          name: "a",
          namespace: "kube-system",
          system: { kind: "external", urls: {} },
        },
        {
          id: "blk-".padEnd(40, "x"),
          name: "a-very-long-system-name",
          system: { kind: "external", urls: {} },
        },
        {
          id: "blk-3",
          name: "c",
          system: { kind: "none" },
          initContainer: {
            ...INIT,
            env: { OPERATING_MODE: "creation" },
            podAnnotations: { "bad key!": "x" },
          },
        },
      ],
    });
  } catch (e) {
    problems = (e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  expect(problems).toEqual([
    "aios-infra:blocks[0].namespace: must not be one of default, kube-system, kube-public, kube-node-lease, ambassador, registry, assets-storage, assets-db, inference-server, policies-system, policies, split-executor (the cluster's, the gateway's and the add-ons' own)",
    "aios-infra:blocks[1].name: id and name make the release name <id>-<name>, which Helm limits to 53 characters",
    "aios-infra:blocks[2].initContainer.env.OPERATING_MODE: must not be one of BLOCK_ID, CLUSTER_ID, OPERATING_MODE, CONTROLLER_URL, BLOCK_SERVICE_URL, CLUSTER_SERVICE_URL, ALLOCATION_DATA: the lifecycle sets them",
    "aios-infra:blocks[2].initContainer.podAnnotations.bad key!: must be an annotation key: [prefix/]name",
  ]);
});
