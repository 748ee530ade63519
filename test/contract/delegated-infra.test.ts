/**
 * Delegated infrastructure against the AIOS double: create-cluster-infra with the kubeconfig as a
 * JSON object and its task awaited, a failed task kept tracked, remove on delete — and the
 * kubeconfig never in a request log, an error or the resource's state.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { delegatedInfraProvider } from "../../components/aios-api";
import { AiosDouble } from "../../scripts/aios-network/aios-double";

let double: AiosDouble;
let inputs: Record<string, unknown>;
const KUBECONFIG =
  "apiVersion: v1\nkind: Config\nusers:\n  - name: u\n    user: { token: s3cr3t-t0ken }\n";

let kubeconfigDir: string;

beforeEach(async () => {
  double = await AiosDouble.start();
  double.taskDelayMs = 50;
  inputs = {
    endpoints: { gateway: double.url, clusterRegistry: double.url, tasksDb: double.url },
    clusterId: "c1",
    timeoutSeconds: 30,
    providerVersion: "1",
  };
  kubeconfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "aios-kc-"));
  const file = path.join(kubeconfigDir, "config");
  fs.writeFileSync(file, KUBECONFIG, { mode: 0o600 });
  process.env.KUBECONFIG = file;
});
afterEach(async () => {
  await double.stop();
  fs.rmSync(kubeconfigDir, { recursive: true, force: true });
});

test("create sends the kubeconfig as an object and waits for the task; delete removes", async () => {
  const created = await delegatedInfraProvider.create(inputs);
  expect(created).toEqual({ id: "c1", outs: inputs });
  expect(double.kubeconfigs).toEqual([
    { apiVersion: "v1", kind: "Config", users: [{ name: "u", user: { token: "s3cr3t-t0ken" } }] },
  ]);
  expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    "POST /create-cluster-infra",
    "GET /task/task-1",
    ...double.requests.slice(2).map(() => "GET /task/task-1"),
  ]);
  await delegatedInfraProvider.delete!("c1", inputs);
  expect(double.requests.some((r) => r.path === "/remove-cluster-infra")).toBe(true);
  expect(JSON.stringify(double.requests)).not.toContain("s3cr3t");
  expect(JSON.stringify(created)).not.toContain("s3cr3t");
});

test("a failed task fails create, tracked with its id, naming the gateway's error", async () => {
  double.failNextTask = "kube-apiserver unreachable from the management cluster";
  const error = (await delegatedInfraProvider.create(inputs).catch((e: unknown) => e)) as Error & {
    id?: string;
  };
  expect(error.message).toBe(
    "cluster c1: create-cluster-infra did not complete: AIOS task task-1 failed: kube-apiserver unreachable from the management cluster",
  );
  expect(error.id).toBe("c1");
  expect(JSON.stringify(error)).not.toContain("s3cr3t");
});
