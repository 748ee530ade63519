/**
 * All five add-ons on the local control plane, for real: `pulumi up` declares them (claims bound
 * to the cluster's volumes, the replica-set and bucket Jobs complete, the executor's Mapping
 * appears), each registers with the AIOS double after the probe its registry makes, the
 * generated credentials work and stay secret in state, a preview then shows no changes, and
 * `pulumi destroy` leaves nothing: no object, no claim, no namespace, no registry entry.
 *
 * kwok runs no containers and no kube-proxy: it completes the Jobs' pods without running their
 * commands (unit tests check those parse), and the add-on servers behind the NodePorts are
 * loopback stand-ins answering the registries' probes (test/support/node-port-stand-ins.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import * as bcrypt from "bcryptjs";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { labelledObjects, nodePortServices } from "../support/cluster-inventory";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";
import {
  claims,
  E2E_STORAGE_CLASS,
  provisionVolumes,
  volumeClaims,
} from "../support/local-volumes";
import { standIn, type StandIn } from "../support/node-port-stand-ins";

jest.setTimeout(10 * 60 * 1000);

const CLUSTER_ID = "addons";
const ADDON_NAMESPACES = [
  "assets-db",
  "assets-storage",
  "inference-server",
  "policies",
  "policies-system",
  "registry",
  "split-executor",
];
const volume = (sizeMB: number) => ({ sizeMB, storageClassName: E2E_STORAGE_CLASS });

let network: AiosDouble;
let plane: LocalControlPlane;
let e2e: E2eStack;
let kc: k8s.KubeConfig;
const standIns: StandIn[] = [];

const config = () => ({
  "aios-infra:cluster": minimalCluster(CLUSTER_ID, [["node-1"]]),
  "aios-infra:network": {
    ...NETWORK,
    parser_url: network.url,
    cluster_controller_gateway_url: network.url,
    cluster_db_url: network.url,
    policy_db_url: network.url,
    containers_registry_url: network.url,
    assets_registry_url: network.url,
    inference_servers_registry_url: network.url,
    split_runners_registry_url: network.url,
    tasks_db_url: network.url,
  },
  "aios-infra:registration": { enabled: true },
  "aios-infra:gateway": OFFLINE_GATEWAY,
  "aios-infra:addons": {
    containerRegistry: { storage: volume(1024), tags: ["e2e"] },
    assetsRegistry: {
      objectStore: { type: "minio", volume: volume(1024) },
      db: { replicas: 3, volume: volume(512) },
    },
    inferenceServer: { db: { volume: volume(1024) } },
    policyExecutor: { maxProcesses: 2 },
    modelSplitter: {},
  },
});

beforeAll(async () => {
  network = await AiosDouble.start();
  // Upstream's split-runner registry fails every POST; this network's has been fixed.
  network.splitRunnerRegistryFixed = true;
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  kc = plane.kubeConfig();
  await provisionVolumes(kc, 6, 2);
  // What the add-ons answer on their NodePorts: the registry asks for login at /v2/.
  standIns.push(await standIn(32633, (p) => (p === "/v2/" ? 401 : 404)));
  for (const port of [31700, 31501, 30900, 32286]) {
    standIns.push(await standIn(port, () => 200));
  }
  e2e = await openE2eStack("addons", config(), plane.kubeconfigPath);
});

afterAll(async () => {
  await e2e?.dispose();
  await Promise.all(standIns.map((s) => s.close()));
  plane?.stop();
  await network?.stop();
});

async function namespaces(): Promise<string[]> {
  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace({
    labelSelector: `aios.io/cluster-id=${CLUSTER_ID}`,
  });
  return list.items.map((n) => n.metadata?.name ?? "").filter((n) => ADDON_NAMESPACES.includes(n));
}

const entries = () =>
  Object.fromEntries([...network.entries].map(([collection, byId]) => [collection, byId.size]));

test("pulumi up declares, runs and registers all five add-ons", async () => {
  const up = await e2e.stack.up();
  expect(up.summary.result).toBe("succeeded");

  expect((await namespaces()).sort()).toEqual(ADDON_NAMESPACES);
  // Every claim bound to one of the cluster's volumes.
  expect(await claims(kc)).toEqual([
    "assets-db/data-assets-db-0",
    "assets-db/data-assets-db-1",
    "assets-db/data-assets-db-2",
    "assets-storage/data-minio-0",
    "inference-server/data-timescaledb-0",
    "registry/data-registry-0",
  ]);
  expect((await volumeClaims(kc)).filter((v) => v.endsWith(" Bound"))).toHaveLength(6);

  const batch = kc.makeApiClient(k8s.BatchV1Api);
  for (const name of ["assets-db-init", "assets-bucket"]) {
    const job = await batch.readNamespacedJob({ name, namespace: "assets-db" });
    expect([name, job.status?.succeeded]).toEqual([name, 1]);
  }

  const addonPorts = (await nodePortServices(kc)).filter((p) =>
    ADDON_NAMESPACES.some((ns) => p.startsWith(`${ns}/`)),
  );
  expect(addonPorts).toEqual([
    "assets-db/assets-registry:4000 -> 31700",
    "inference-server/inference-server:20000 -> 31501",
    "inference-server/inference-server:50052 -> 31500",
    "policies-system/executor-public-addons:10250 -> 30900",
    "registry/registry-service:5000 -> 32633",
    "split-executor/split-runner-service:5000 -> 32286",
  ]);

  const mapping = await kc.makeApiClient(k8s.CustomObjectsApi).getNamespacedCustomObject({
    group: "getambassador.io",
    version: "v2",
    namespace: "ambassador",
    plural: "mappings",
    name: "aios-executor-addons",
  });
  expect((mapping as { spec: unknown }).spec).toEqual({
    prefix: "/executor/addons/",
    service: "executor-svc-addons.policies-system:10250",
  });

  // Registered, each after the probe its registry makes.
  expect(entries()).toEqual({
    container_registry: 1,
    asset_registry: 1,
    inference_server: 1,
    executor: 1,
    "split-runner": 1,
  });
  expect([...network.probes].sort((a, b) => a.url.localeCompare(b.url))).toEqual([
    { url: "http://127.0.0.1:31700/health", status: 200 },
    { url: "http://127.0.0.1:32633/v2/", status: 401 },
  ]);
  expect(network.entries.get("executor")?.get("addons")).toMatchObject({
    cluster_public_ip: "127.0.0.1",
    executor_host_uri: "http://127.0.0.1:30900",
  });
});

test("the generated credentials work and stay secret", async () => {
  const outputs = await e2e.stack.outputs();
  expect(outputs.addons.secret).toBe(true);
  const { username, password } = outputs.addons.value.containerRegistry as {
    username: string;
    password: string;
  };
  expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
  // The registry's htpasswd file accepts exactly that user and password.
  const secret = await kc
    .makeApiClient(k8s.CoreV1Api)
    .readNamespacedSecret({ name: "registry-htpasswd", namespace: "registry" });
  const line = Buffer.from(secret.data?.htpasswd ?? "", "base64")
    .toString("utf8")
    .trim();
  const [user, hash] = line.split(":");
  expect(user).toBe(username);
  expect(bcrypt.compareSync(password, hash ?? "")).toBe(true);
  expect(bcrypt.compareSync(`${password}x`, hash ?? "")).toBe(false);

  // The backend's state file holds them only as ciphertext.
  const stateFiles = fs
    .readdirSync(path.join(e2e.dir, "state"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith("addons.json"))
    .map((f) => fs.readFileSync(path.join(e2e.dir, "state", f), "utf8"));
  expect(stateFiles).toHaveLength(1);
  expect(stateFiles[0]).not.toContain(password);
  expect(stateFiles[0]).not.toContain(hash);
  expect(JSON.stringify(network.requests)).not.toContain(password);
});

test("a preview after up shows no changes", async () => {
  const preview = await e2e.stack.preview();
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
});

test("destroy leaves no object, claim, namespace or registry entry", async () => {
  const result = await e2e.stack.destroy();
  expect(result.summary.result).toBe("succeeded");
  expect(await labelledObjects(kc, CLUSTER_ID)).toEqual([]);
  expect(await namespaces()).toEqual([]);
  expect(await claims(kc)).toEqual([]);
  expect(entries()).toEqual({
    container_registry: 0,
    asset_registry: 0,
    inference_server: 0,
    executor: 0,
    "split-runner": 0,
  });
  expect(network.clusters.size).toBe(0);
});
