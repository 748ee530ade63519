/** The network endpoints, gateway and storage settings: defaults and exact error messages. */
import { parseStackConfig } from "../../components";
import { minimalCluster, NETWORK } from "../support/fixtures";
import { configProblems } from "../support/config-problems";

const cluster = minimalCluster("c", [["n"]]);

const problems = (raw: Record<string, unknown>): string[] =>
  configProblems(() => parseStackConfig({ cluster, network: NETWORK, ...raw }));

test("the network endpoints are required, each named with what it must be", () => {
  const { policy_db_url, ...rest } = NETWORK;
  expect(policy_db_url).toBe("http://mgmt.test:30102");
  expect(
    problems({
      network: {
        ...rest,
        global_block_metrics_redis_host: "http://mgmt.test:30200",
        blocks_db_url: "mgmt.test:30100",
        vdag_controller_image_name: "Bad Image",
        clusterDbUrl: "http://x",
      },
    }),
  ).toEqual([
    'aios-infra:network.global_block_metrics_redis_host: must be a redis or rediss URL with a host, e.g. redis://10.0.0.5:30200/0 (received "http://mgmt.test:30200")',
    "aios-infra:network.policy_db_url: is required (string) (received nothing)",
    'aios-infra:network.blocks_db_url: must be a http or https URL with a host, e.g. http://10.0.0.5:30101 (received "mgmt.test:30100")',
    'aios-infra:network.vdag_controller_image_name: must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>] (received "Bad Image")',
    'aios-infra:network.clusterDbUrl: is not a known setting; remove it or check its spelling (received "http://x")',
  ]);
  expect(problems({ network: undefined })).toEqual([
    "aios-infra:network: is required (object) (received nothing)",
  ]);
});

test("the gateway defaults to upstream's chart, pinned", () => {
  expect(parseStackConfig({ cluster, network: NETWORK }).gateway).toEqual({
    enabled: true,
    chart: { repository: "https://app.getambassador.io", name: "ambassador", version: "6.9.5" },
    mappingApiVersion: "getambassador.io/v2",
    replicas: 1,
    values: {},
  });
});

test("a chart version must be exact, and the service values come from the plan", () => {
  expect(
    problems({
      gateway: {
        chart: { repository: "https://charts.example.org", name: "emissary", version: "^8.9" },
        values: { service: { type: "LoadBalancer" } },
      },
    }),
  ).toEqual([
    "aios-infra:gateway.chart.version: must be an exact chart version such as 6.9.5 (no ranges, no 'latest') (received \"^8.9\")",
  ]);
  expect(problems({ gateway: { values: { service: { type: "LoadBalancer" } } } })).toEqual([
    "aios-infra:gateway.values.service: is set by the stack from the NodePort plan; set aios-infra:nodePorts.gatewayHttp/gatewayHttps instead (received a value)",
  ]);
});

test("routing through a disabled gateway is refused", () => {
  const routed = { ...cluster, config: { publicHostname: "h.example", useGateway: true } };
  expect(problems({ cluster: routed, gateway: { enabled: false } })).toEqual([
    "aios-infra:gateway.enabled: must be true when the cluster routes through the gateway (cluster.config.useGateway); enable the gateway or set useGateway to false (received false)",
  ]);
});

test("only switched-on parts claim NodePorts, so an unused port may be reused", () => {
  const plan = parseStackConfig({
    cluster,
    network: NETWORK,
    gateway: { enabled: false },
    nodePorts: { grpcProxy: 32000 },
  }).nodePorts;
  expect(plan).toEqual({
    controllerInfra: 32300,
    metrics: 32301,
    blockTransactions: 32302,
    mgmt: 32303,
    monitor: 32304,
    health: 32305,
    membership: 30501,
    grpcProxy: 32000,
  });
  // With the gateway on, upstream's grpc-proxy port collides with it, naming both claimants.
  expect(problems({ nodePorts: { grpcProxy: 32000 } })).toEqual([
    "aios-infra:nodePorts.grpcProxy: NodePort 32000 is already claimed by gatewayHttp; choose a free port for one of them (received 32000)",
  ]);
});

test("metrics storage defaults its size and refuses a zero size", () => {
  expect(
    parseStackConfig({ cluster, network: NETWORK, metricsStorage: {} }).metricsStorage,
  ).toEqual({ sizeMB: 10240 });
  expect(problems({ metricsStorage: { sizeMB: 0 } })).toEqual([
    "aios-infra:metricsStorage.sizeMB: Too small: expected number to be >=1 (received 0)",
  ]);
});

test("registration needs the Parser and gateway; delegated infrastructure needs registration and the tasks DB", () => {
  expect(problems({ registration: { enabled: true } })).toEqual([
    "aios-infra:network.parser_url: is required when aios-infra:registration.enabled is true (received nothing)",
    "aios-infra:network.cluster_controller_gateway_url: is required when aios-infra:registration.enabled is true (received nothing)",
  ]);
  expect(problems({ infrastructure: { mode: "delegated" } })).toEqual([
    "aios-infra:infrastructure.mode: 'delegated' needs aios-infra:registration.enabled: the gateway creates the infrastructure of a registered cluster (received \"delegated\")",
    "aios-infra:network.cluster_controller_gateway_url: is required when aios-infra:infrastructure.mode is 'delegated' (received nothing)",
    "aios-infra:network.tasks_db_url: is required when aios-infra:infrastructure.mode is 'delegated' (received nothing)",
  ]);
});
