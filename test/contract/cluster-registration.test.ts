/**
 * The registration dynamic resources' create, update, delete and read against the AIOS double,
 * with faults: no false success, nothing left registered after delete, drift visible on read.
 */
import { registrationProvider, urlMapProvider } from "../../components/aios-api";
import type { AiosEndpoints } from "../../components/aios-api";
import { AiosDouble } from "../../scripts/aios-network/aios-double";

let double: AiosDouble;
let endpoints: AiosEndpoints;
const DOCUMENT = { id: "c1", regionId: "eu", tags: ["a"], config: { publicHostname: "h.example" } };
const inputs = () => ({ endpoints, clusterId: "c1", document: DOCUMENT, providerVersion: "1" });
const URL_MAP = {
  controllerService: "http://h.example:32300",
  metricsService: "http://h.example:32301",
};

beforeEach(async () => {
  double = await AiosDouble.start();
  endpoints = { parser: double.url, gateway: double.url, clusterRegistry: double.url };
});
afterEach(() => double.stop());

test("create registers, update pushes only changed fields, delete leaves nothing", async () => {
  const created = await registrationProvider.create(inputs());
  expect(created.id).toBe("c1");
  expect(double.clusters.get("c1")).toMatchObject(DOCUMENT);

  await urlMapProvider.create({
    endpoints,
    clusterId: "c1",
    urlMap: URL_MAP,
    providerVersion: "1",
  });
  const changed = {
    ...inputs(),
    document: { ...DOCUMENT, tags: ["a", "b"], config: { publicHostname: "h2.example" } },
  };
  await registrationProvider.update!("c1", inputs(), changed);
  expect(double.requests.at(-1)).toEqual({
    method: "PUT",
    path: "/clusters/update/c1",
    body: { tags: ["a", "b"], "config.publicHostname": "h2.example" },
  });
  // Setting config keys one by one keeps the urlMap the other resource wrote.
  expect((double.clusters.get("c1") as any).config).toEqual({
    publicHostname: "h2.example",
    urlMap: URL_MAP,
  });

  await urlMapProvider.delete!("c1", {
    endpoints,
    clusterId: "c1",
    urlMap: URL_MAP,
    providerVersion: "1",
  });
  expect((double.clusters.get("c1") as any).config.urlMap).toEqual({});
  await registrationProvider.delete!("c1", changed);
  expect(double.clusters.size).toBe(0);
  // Deleting again (an entry already gone) is not an error.
  await expect(registrationProvider.delete!("c1", changed)).resolves.toBeUndefined();
});

test("a rejected registration hidden in a 200 fails create, and nothing is recorded", async () => {
  double.inject("POST /api/createCluster", {
    kind: "failure-in-200",
    message: "pre-check create_cluster denied",
  });
  await expect(registrationProvider.create(inputs())).rejects.toThrow(
    "reported failure: pre-check create_cluster denied",
  );
  expect(double.clusters.size).toBe(0);
});

test("read shows drift: changed fields come back, a removed entry reads as gone", async () => {
  await registrationProvider.create(inputs());
  (double.clusters.get("c1") as any).regionId = "us";
  const read = await registrationProvider.read!("c1", inputs());
  expect(read.props?.document).toEqual({ ...DOCUMENT, regionId: "us" });
  double.clusters.delete("c1");
  expect(await registrationProvider.read!("c1", inputs())).toEqual({ id: "", props: {} });
});

test("a registry that keeps failing fails delete after bounded retries, keeping the resource", async () => {
  await registrationProvider.create(inputs());
  double.inject(
    "GET /clusters/:id",
    ...Array.from({ length: 100 }, () => ({ kind: "status" as const, status: 503 })),
  );
  const started = Date.now();
  await expect(registrationProvider.delete!("c1", inputs())).rejects.toThrow(
    /GET http:\/\/127\.0\.0\.1:\d+\/clusters\/c1 answered 503: injected fault \(after \d+ attempts\)/,
  );
  expect(Date.now() - started).toBeLessThan(35_000);
  expect(double.clusters.has("c1")).toBe(true);
}, 60_000);

test("no request carries a credential", async () => {
  await registrationProvider.create(inputs());
  await urlMapProvider.create({
    endpoints,
    clusterId: "c1",
    urlMap: URL_MAP,
    providerVersion: "1",
  });
  await registrationProvider.delete!("c1", inputs());
  expect(JSON.stringify(double.requests)).not.toMatch(/kubeconfig|token|password|client-key/i);
});
