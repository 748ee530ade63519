/**
 * Switching a running cluster to gateway routing (`config.useGateway`), for real: the Mappings
 * appear once the chart's CRD exists, the NodePorts the gateway replaces go away, the urlMap
 * follows, preview then shows no changes, and destroy leaves nothing behind.
 */
import * as k8s from "@kubernetes/client-node";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { crdExists, labelledObjects, nodePortServices } from "../support/cluster-inventory";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const CLUSTER = minimalCluster("routed", [["node-1"]]);
const config = (useGateway: boolean) => ({
  "aios-infra:cluster": { ...CLUSTER, config: { publicHostname: "aios.test", useGateway } },
  "aios-infra:network": NETWORK,
  "aios-infra:gateway": OFFLINE_GATEWAY,
});

let plane: LocalControlPlane;
let e2e: E2eStack;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  e2e = await openE2eStack("routed", config(false), plane.kubeconfigPath);
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
});

test("a cluster switched to gateway routing gets the Mappings and gives up the NodePorts", async () => {
  const first = await e2e.stack.up();
  expect(first.outputs.urlMap.value.controllerService).toBe("http://aios.test:32300");

  writeStackConfig(e2e.dir, "routed", config(true));
  const routed = await e2e.stack.up();
  expect(routed.summary.result).toBe("succeeded");
  expect(routed.outputs.urlMap.value).toEqual({
    controllerService: "http://aios.test:32000/controller",
    metricsService: "http://aios.test:32000/metrics",
    blocksQuery: "http://aios.test:32000/blocks",
    publicGateway: "http://aios.test:32306",
    parameterUpdater: "http://aios.test:32000/mgmt",
    membershipServer: "http://aios.test:30501",
  });

  const kc = plane.kubeConfig();
  const mappings = await kc.makeApiClient(k8s.CustomObjectsApi).listNamespacedCustomObject({
    group: "getambassador.io",
    version: "v2",
    namespace: "ambassador",
    plural: "mappings",
  });
  const specs = (mappings as { items: { metadata: { name: string }; spec: unknown }[] }).items
    .map((m) => [m.metadata.name, m.spec])
    .sort();
  expect(specs).toEqual([
    ["aios-blocks", { prefix: "/blocks/", service: "routed-controller-svc.controllers:7500" }],
    [
      "aios-controller",
      { prefix: "/controller/", service: "routed-controller-svc.controllers:4000" },
    ],
    ["aios-metrics", { prefix: "/metrics/", service: "metrics-writer-svc.metrics:5000" }],
    ["aios-mgmt", { prefix: "/mgmt/", service: "routed-controller-svc.controllers:10000" }],
  ]);
  expect(await nodePortServices(kc)).toEqual([
    "ambassador/ambassador:443 -> 32009",
    "ambassador/ambassador:80 -> 32000",
    "controllers/grpc-proxy:9000 -> 32306",
    "controllers/membership-server-svc:8080 -> 30501",
  ]);
  const controllerSvc = await kc
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedService({ name: "routed-controller-svc", namespace: "controllers" });
  expect(controllerSvc.spec?.type).toBe("ClusterIP");
});

test("preview then shows no changes", async () => {
  const preview = await e2e.stack.preview({ expectNoChanges: true });
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
});

test("destroy removes the Mappings, the chart's CRD and every labelled object", async () => {
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  const kc = plane.kubeConfig();
  expect(await labelledObjects(kc, "routed")).toEqual([]);
  expect(await crdExists(kc, "mappings.getambassador.io")).toBe(false);
  expect(await nodePortServices(kc)).toEqual([]);
});

test("a stack routed from the start previews, then creates the CRD and its Mappings in one run", async () => {
  writeStackConfig(e2e.dir, "routed", config(true));
  // Preview before the CRD exists: the Mappings are planned, not refused as unknown kinds.
  const preview = await e2e.stack.preview();
  expect(preview.changeSummary.create).toBeGreaterThan(40);
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.gatewayRoutes.value).toEqual([
    "/controller/",
    "/metrics/",
    "/blocks/",
    "/mgmt/",
  ]);
  const destroyed = await e2e.stack.destroy();
  expect(destroyed.summary.result).toBe("succeeded");
  expect(await labelledObjects(plane.kubeConfig(), "routed")).toEqual([]);
});
