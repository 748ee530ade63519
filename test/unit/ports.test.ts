/** The NodePort plan: defaults, overrides, range and uniqueness. */
import {
  DEFAULT_NODE_PORTS,
  gpuInfoAnnotation,
  parseStackConfig,
  planNodePorts,
} from "../../components";
import { ConfigError } from "../../components/config";
import { minimalCluster, NETWORK } from "../support/fixtures";

test("the defaults are upstream's ports, in range, with no port claimed twice", () => {
  const { plan, problems } = planNodePorts();
  expect(problems).toEqual([]);
  expect(plan).toEqual({
    gatewayHttp: 32000,
    gatewayHttps: 32009,
    controllerInfra: 32300,
    metrics: 32301,
    blockTransactions: 32302,
    mgmt: 32303,
    monitor: 32304,
    health: 32305,
    membership: 30501,
    grpcProxy: 32306,
  });
  expect(new Set(Object.values(DEFAULT_NODE_PORTS)).size).toBe(
    Object.keys(DEFAULT_NODE_PORTS).length,
  );
});

test("a port claimed twice is rejected naming both claimants", () => {
  expect(planNodePorts({ overrides: { grpcProxy: 32000 } }).problems).toEqual([
    {
      path: "aios-infra:nodePorts.grpcProxy",
      message:
        "NodePort 32000 is already claimed by gatewayHttp; choose a free port for one of them",
      received: "32000",
    },
  ]);
});

test("an add-on's claim joins the same plan and collides like any other", () => {
  expect(planNodePorts({ extraClaims: { "addons.registry": 32301 } }).problems).toEqual([
    {
      path: "aios-infra:nodePorts.addons.registry",
      message: "NodePort 32301 is already claimed by metrics; choose a free port for one of them",
      received: "32301",
    },
  ]);
});

test("ports outside the cluster's range are rejected with the range", () => {
  expect(
    planNodePorts({ overrides: { membership: 8080 }, range: { min: 30000, max: 32767 } }).problems,
  ).toEqual([
    {
      path: "aios-infra:nodePorts.membership",
      message: "must be inside the cluster's NodePort range 30000-32767",
      received: "8080",
    },
  ]);
  const narrow = planNodePorts({ range: { min: 32000, max: 32400 } });
  expect(narrow.problems.map((p) => p.path)).toEqual(["aios-infra:nodePorts.membership"]);
});

test("the stack config reports NodePort problems in the aggregated error", () => {
  const cluster = minimalCluster("c", [["n"]]);
  expect(() =>
    parseStackConfig({ network: NETWORK, cluster, nodePorts: { health: 32300, monitor: 40000 } }),
  ).toThrow(
    [
      "invalid stack configuration (2 problems):",
      "  - aios-infra:nodePorts.monitor: must be inside the cluster's NodePort range 30000-32767 (received 40000)",
      "  - aios-infra:nodePorts.health: NodePort 32300 is already claimed by controllerInfra; choose a free port for one of them (received 32300)",
    ].join("\n"),
  );
  expect(() => parseStackConfig({ network: NETWORK, cluster, nodePorts: { gatewy: 1 } })).toThrow(
    ConfigError,
  );
  expect(() =>
    parseStackConfig({
      network: NETWORK,
      cluster,
      nodePorts: { range: { min: 32000, max: 31000 } },
    }),
  ).toThrow("aios-infra:nodePorts.range: min must not be greater than max (received 32000-31000)");
  expect(
    parseStackConfig({ network: NETWORK, cluster, nodePorts: { grpcProxy: 31999 } }).nodePorts
      .grpcProxy,
  ).toBe(31999);
});

test("gpu.aios/info is formatted exactly as upstream's gpu_info.sh writes it", () => {
  expect(
    gpuInfoAnnotation([
      { modelName: "NVIDIA A100", memory: 16384 },
      { modelName: "NVIDIA A100", memory: 16384 },
    ]),
  ).toBe(
    '[{"modelName": "NVIDIA A100", "memory": 16384}, {"modelName": "NVIDIA A100", "memory": 16384}]',
  );
  expect(JSON.parse(gpuInfoAnnotation([{ modelName: 'Quote "Q"', memory: 1 }]))).toEqual([
    { modelName: 'Quote "Q"', memory: 1 },
  ]);
});
