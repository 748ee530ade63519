/**
 * The interLink plugin double speaks the plugin API as interLink 0.6.2 calls it (interlink.md
 * §2b): the shapes and methods a real interLink API server sends — GET with JSON bodies, one
 * create object, the empty-list ping — and the answers the virtual kubelet relies on.
 */
import { InterlinkPluginDouble } from "../support/interlink-plugin-double";

let plugin: InterlinkPluginDouble;
const call = async (method: string, path: string, body: unknown) => {
  // interLink sends JSON bodies on GET; fetch refuses that, so use node:http.
  const http = await import("node:http");
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: plugin.port,
        method,
        path,
        headers: {
          "content-type": "application/json",
          // As Go's client sends it: a sized body, also on GET.
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
};
const POD = {
  metadata: {
    uid: "6f1d2c3b-0000-4000-8000-000000000001",
    name: "blk-offload-0",
    namespace: "third-party",
  },
  spec: { containers: [{ name: "server" }] },
};

beforeAll(async () => {
  plugin = await InterlinkPluginDouble.start();
});
afterAll(async () => {
  await plugin.stop();
});

test("the ping (GET /status with []) answers 200 []", async () => {
  expect(await call("GET", "/status", [])).toEqual({ status: 200, text: "[]" });
});

test("create takes one RetrievedPodData object and answers a CreateStruct", async () => {
  const r = await call("POST", "/create", {
    pod: POD,
    container: [
      { name: "server", configMaps: [], projectedvolumemaps: [], secrets: [], emptyDirs: null },
    ],
  });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.text)).toEqual({ PodUID: POD.metadata.uid, PodJID: "job-6f1d2c3b" });
  // Up to 0.4.x interLink sent a one-element array: refused, so a version mix-up shows.
  expect((await call("POST", "/create", [{ pod: POD }])).status).toBe(400);
});

test("status reports the containers running, then terminated; logs come back as text", async () => {
  const running = JSON.parse((await call("GET", "/status", [POD])).text) as unknown[];
  expect(running).toEqual([
    {
      name: "blk-offload-0",
      UID: POD.metadata.uid,
      namespace: "third-party",
      JID: "job-6f1d2c3b",
      containers: [{ name: "server", state: { running: { startedAt: expect.any(String) } } }],
      initContainers: [],
    },
  ]);
  const logs = await call("GET", "/getLogs", {
    Namespace: "third-party",
    PodUID: POD.metadata.uid,
    PodName: "blk-offload-0",
    ContainerName: "server",
    Opts: { Tail: 0, Timestamps: false },
  });
  expect(logs).toEqual({ status: 200, text: "hello from blk-offload-0/server\n" });
  plugin.finish(POD.metadata.uid, 0);
  const done = JSON.parse((await call("GET", "/status", [POD])).text) as {
    containers: { state: unknown }[];
  }[];
  expect(done[0].containers[0].state).toEqual({ terminated: { exitCode: 0, reason: "Completed" } });
});

test("delete forgets the pod; a chosen fault is answered once; every call is recorded", async () => {
  plugin.failNext("/status", 503, "backend down");
  expect(await call("GET", "/status", [])).toEqual({ status: 503, text: "backend down" });
  expect((await call("GET", "/status", [])).status).toBe(200);
  expect((await call("POST", "/delete", POD)).status).toBe(200);
  expect(plugin.pods.size).toBe(0);
  expect(plugin.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
    "GET /status",
    "POST /create",
    "POST /create",
    "GET /status",
    "GET /getLogs",
    "GET /status",
    "GET /status",
    "GET /status",
    "POST /delete",
  ]);
});
