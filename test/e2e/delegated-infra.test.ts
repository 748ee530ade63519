/**
 * Delegated infrastructure and secrets, for real: a stack whose kubeconfig is a Pulumi secret in
 * stack config registers with the AIOS double and lets its gateway create the cluster services.
 * The dynamic provider gets the kubeconfig through `configure` and sends it as a JSON object; it
 * appears in no recorded request, in no output and nowhere in plain text in the state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

let plane: LocalControlPlane;
let network: AiosDouble;
let e2e: E2eStack;
let token: string;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  network = await AiosDouble.start();
  network.taskDelayMs = 100;
  const kubeconfig = fs.readFileSync(plane.kubeconfigPath, "utf8");
  token =
    (YAML.parse(kubeconfig) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
  e2e = await openE2eStack(
    "delegated",
    {
      "aios-infra:cluster": minimalCluster("delegated", [["node-1"]]),
      "aios-infra:network": {
        ...NETWORK,
        parser_url: network.url,
        cluster_controller_gateway_url: network.url,
        cluster_db_url: network.url,
        tasks_db_url: network.url,
      },
      "aios-infra:gateway": { ...OFFLINE_GATEWAY, enabled: false },
      "aios-infra:registration": { enabled: true },
      "aios-infra:infrastructure": { mode: "delegated", timeoutSeconds: 60 },
    },
    // No $KUBECONFIG: the stack's secret kubeconfig is the only way to the cluster.
    "/nonexistent/kubeconfig",
  );
  await e2e.stack.setConfig("aios-infra:kubeconfig", { value: kubeconfig, secret: true });
});

afterAll(async () => {
  await e2e?.dispose();
  await network?.stop();
  plane?.stop();
});

test("the gateway is asked to create the infrastructure with the secret kubeconfig as an object", async () => {
  expect(token.length).toBeGreaterThan(10);
  const result = await e2e.stack.up();
  expect(result.summary.result).toBe("succeeded");
  expect(result.outputs.workloads.value).toEqual({});
  const sent = network.kubeconfigs[0] as { users: { user: { token: string } }[] };
  expect(sent.users[0]?.user.token).toBe(token);
  const calls = network.requests.map((r) => `${r.method} ${r.path}`);
  expect(calls.indexOf("POST /api/createCluster")).toBeLessThan(
    calls.indexOf("POST /create-cluster-infra"),
  );
  expect(network.clusters.get("delegated")).toMatchObject({
    config: { urlMap: result.outputs.urlMap.value },
  });
});

test("the kubeconfig is in no request log, output or plain-text state", async () => {
  expect(JSON.stringify(network.requests)).not.toContain(token);
  expect(JSON.stringify(await e2e.stack.outputs())).not.toContain(token);
  // The state file as the backend stores it (the Automation API's export shows secrets).
  const stateFiles = fs
    .readdirSync(path.join(e2e.dir, "state"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith("delegated.json"))
    .map((f) => fs.readFileSync(path.join(e2e.dir, "state", f), "utf8"));
  expect(stateFiles).toHaveLength(1);
  expect(stateFiles[0]).not.toContain(token);
  expect(stateFiles[0]).toContain("ciphertext");
});

test("destroy asks the gateway to remove the infrastructure, and the network holds nothing", async () => {
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  expect(network.requests.map((r) => r.path)).toContain("/remove-cluster-infra");
  expect(network.clusters.size).toBe(0);
});
