/**
 * The AIOS API client against the local double, with every injected fault: no false success,
 * retries bounded by the deadline, messages that name the endpoint, status and server message.
 */
import {
  createCluster,
  deleteCluster,
  readClusterViaGateway,
  readCluster,
  startClusterInfra,
  updateCluster,
  waitForTask,
  type AiosEndpoints,
} from "../../components/aios-api";
import { AiosApiError } from "../../components/aios-api";
import { AiosDouble } from "../../scripts/aios-network/aios-double";

let double: AiosDouble;
let ep: AiosEndpoints;
const DOC = {
  id: "c1",
  regionId: "eu",
  status: "dropped by the parser",
  config: { publicHostname: "h" },
};

beforeEach(async () => {
  double = await AiosDouble.start();
  ep = {
    parser: double.url,
    gateway: double.url,
    clusterRegistry: double.url,
    tasksDb: double.url,
  };
});
afterEach(() => double.stop());

test("createCluster wraps the document as the Parser expects and returns what was stored", async () => {
  const stored = await createCluster(ep, DOC);
  expect(double.requests[0]).toEqual({
    method: "POST",
    path: "/api/createCluster",
    body: { header: { templateUri: "Parser/V1", parameters: {} }, body: { spec: { values: DOC } } },
  });
  expect(stored).toMatchObject({ id: "c1", regionId: "eu" });
  expect(stored).not.toHaveProperty("status");
  expect(await readCluster(ep, "c1")).toMatchObject({ id: "c1" });
});

test("a 200 whose result is [false, msg] is a failure, not a registration", async () => {
  await createCluster(ep, DOC);
  await expect(createCluster(ep, DOC)).rejects.toThrow(
    `POST ${"URL"}/api/createCluster answered 200: reported failure: E11000 duplicate key error: id c1`.replace(
      "URL",
      double.url,
    ),
  );
  double.inject("POST /api/createCluster", { kind: "failure-in-200", message: "pre-check denied" });
  await expect(createCluster(ep, { ...DOC, id: "c2" })).rejects.toThrow(
    "reported failure: pre-check denied",
  );
  expect(double.clusters.has("c2")).toBe(false);
});

test("transient faults are retried within the deadline; the call then succeeds", async () => {
  double.inject(
    "POST /api/createCluster",
    { kind: "status", status: 503 },
    { kind: "status", status: 502, body: { error: "bad gateway" } },
  );
  await expect(createCluster(ep, DOC, { deadlineMs: 5000 })).resolves.toMatchObject({ id: "c1" });
  expect(double.requests.filter((r) => r.path === "/api/createCluster")).toHaveLength(3);
});

test("a fault that lasts past the deadline fails, bounded, naming endpoint, status and message", async () => {
  double.inject(
    "GET /clusters/:id",
    ...Array.from({ length: 50 }, () => ({
      kind: "status" as const,
      status: 500,
      body: { error: "db down" },
    })),
  );
  const started = Date.now();
  const error = await readCluster(ep, "c1", { deadlineMs: 1000 }).catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(3000);
  expect(error).toBeInstanceOf(AiosApiError);
  expect((error as AiosApiError).message).toMatch(
    new RegExp(`^GET ${double.url}/clusters/c1 answered 500: db down \\(after \\d+ attempts\\)$`),
  );
});

test("a delay past the attempt timeout is a timeout, retried, then reported", async () => {
  double.inject("GET /clusters/:id", { kind: "delay", ms: 1500 }, { kind: "delay", ms: 1500 });
  await expect(readCluster(ep, "c1", { deadlineMs: 1200 })).rejects.toThrow(
    `GET ${double.url}/clusters/c1 could not be reached: timed out`,
  );
});

test("an unreachable service is reported as such", async () => {
  await double.stop();
  await expect(readCluster(ep, "c1", { deadlineMs: 500 })).rejects.toThrow(
    /could not be reached: ECONNREFUSED \(after \d+ attempts\)/,
  );
});

test("a malformed body and a non-transient error are reported at once", async () => {
  double.inject("POST /api/createCluster", { kind: "malformed" });
  await expect(createCluster(ep, DOC)).rejects.toThrow("answered 200: unexpected response body");
  double.inject("POST /create-cluster-infra", {
    kind: "status",
    status: 400,
    body: { error: "Missing 'kube_config_data' or 'cluster_id'" },
  });
  await expect(startClusterInfra(ep, "create", "c1", { apiVersion: "v1" })).rejects.toThrow(
    `POST ${double.url}/create-cluster-infra answered 400: Missing 'kube_config_data' or 'cluster_id'`,
  );
});

test("update sends a plain field map that the gateway wraps as $set; delete removes the entry", async () => {
  await createCluster(ep, DOC);
  await updateCluster(ep, "c1", { "config.urlMap": { controllerService: "http://h:32300" } });
  expect(double.requests.at(-1)).toEqual({
    method: "PUT",
    path: "/clusters/update/c1",
    body: { "config.urlMap": { controllerService: "http://h:32300" } },
  });
  expect(double.clusters.get("c1")?.config).toEqual({
    publicHostname: "h",
    urlMap: { controllerService: "http://h:32300" },
  });
  await deleteCluster(ep, "c1");
  expect(double.clusters.size).toBe(0);
  await expect(deleteCluster(ep, "c1")).resolves.toBeUndefined();
  await expect(updateCluster(ep, "c1", { regionId: "x" }, { deadlineMs: 300 })).rejects.toThrow(
    "answered 500: Cluster not found",
  );
});

test("create-cluster-infra sends the kubeconfig as a JSON object and its task is awaited", async () => {
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    users: [{ name: "u", user: { token: "t0ken" } }],
  };
  const taskId = await startClusterInfra(ep, "create", "c1", kubeconfig);
  expect(double.kubeconfigs).toEqual([kubeconfig]);
  expect(double.requests.at(-1)?.body).toEqual({
    cluster_id: "c1",
    kube_config_data: "<redacted>",
  });
  const task = await waitForTask(ep, taskId, 5000, 50);
  expect(task.task_status).toBe("completed");
  double.taskDelayMs = 60_000;
  const slow = await startClusterInfra(ep, "remove", "c1", undefined);
  await expect(waitForTask(ep, slow, 300, 50)).rejects.toThrow(
    `AIOS task ${slow} is still 'pending' after 0 s`,
  );
});

test("the gateway's read unwraps success/data and fails on its 500 for an unknown cluster", async () => {
  await createCluster(ep, DOC);
  await expect(readClusterViaGateway(ep, "c1")).resolves.toMatchObject({ id: "c1" });
  await expect(readClusterViaGateway(ep, "nope", { deadlineMs: 300 })).rejects.toThrow(
    `GET ${double.url}/clusters/read/nope answered 500: Cluster not found`,
  );
});
