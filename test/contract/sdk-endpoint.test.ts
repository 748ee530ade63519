/**
 * The SDK endpoint (the lifecycle's sidecar script, run locally) driven by a client that behaves
 * like the AIOS init-container SDK on the wire: the record it leaves and the verdict the provider
 * reaches from it, for success, a failing stage, a block the SDK cannot read, delete mode,
 * malformed posts, and proxying to the network's blocks DB.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PROJECT_DIR } from "../../automation/pulumi/workspace";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { runSdkClient } from "../support/sdk-client";
import { judgeSdkRun, parseSdkRecord } from "../../components/blocks";
import { startLocalSdkEndpoint } from "../../components/blocks";

const BLOCK = {
  id: "blk-sdk",
  component: { containerRegistryInfo: { componentMode: "third_party" } },
};
const CLUSTER = { id: "c1", config: { publicHostname: "10.0.0.5" } };

/** Starts the endpoint, runs the SDK client against it, stops it; returns record and verdict. */
async function sdkRun(
  behaviour: Parameters<typeof runSdkClient>[1],
  opts: { mode?: "create" | "delete"; block?: unknown; env?: Record<string, string> } = {},
) {
  const mode = opts.mode ?? "create";
  const endpoint = await startLocalSdkEndpoint({
    blockId: "blk-sdk",
    clusterId: "c1",
    mode,
    blockDocument: "block" in opts ? opts.block : BLOCK,
    clusterDocument: CLUSTER,
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  const client = await runSdkClient(
    {
      CONTROLLER_URL: endpoint.url,
      BLOCK_SERVICE_URL: endpoint.url,
      CLUSTER_SERVICE_URL: endpoint.url,
      BLOCK_ID: "blk-sdk",
      CLUSTER_ID: "c1",
      OPERATING_MODE: mode,
    },
    behaviour,
  );
  const text = await endpoint.stop();
  return {
    client,
    text,
    record: parseSdkRecord(text),
    verdict: judgeSdkRun({ mode, exitCode: client.exitCode, recordText: text }),
    events: endpoint.events,
  };
}

const stripAt = (xs: readonly Record<string, unknown>[]) => xs.map(({ at: _at, ...x }) => x);

test("a successful run records begin, main and finish in order; finish's data is the result", async () => {
  const run = await sdkRun({
    begin: [true, "connected"],
    finish: [true, { server_url: "http://triton:8000", replicas: 2 }],
  });
  expect(run.client).toEqual({ exitCode: 0 });
  expect(stripAt(run.record?.reads as never)).toEqual([
    { path: "/blocks/blk-sdk", status: 200, source: "stack" },
    { path: "/clusters/c1", status: 200, source: "stack" },
  ]);
  expect(stripAt(run.record?.updates as never)).toEqual([
    {
      action: "init_create_status_update",
      status: "success",
      stage: "begin",
      mode: "create",
      status_data: "connected",
    },
    {
      action: "init_create_status_update",
      status: "success",
      stage: "main",
      mode: "create",
      status_data: {},
    },
    {
      action: "init_create_status_update",
      status: "success",
      stage: "finish",
      mode: "create",
      status_data: { server_url: "http://triton:8000", replicas: 2 },
    },
  ]);
  expect(run.record?.rejected).toEqual([]);
  expect(run.verdict).toMatchObject({
    ok: true,
    stage: "finish",
    result: { server_url: "http://triton:8000", replicas: 2 },
  });
  // Each update was printed as it arrived, before the record.
  expect(run.events.map((e) => e.event)).toEqual([
    "listening",
    "read",
    "read",
    "update",
    "update",
    "update",
    "record",
  ]);
  const ats = (run.record?.updates ?? []).map((u) => Date.parse(u.at));
  expect(ats).toEqual([...ats].sort((a, b) => a - b));
});

test("a failure in main posts 'failed' with the error; the verdict names main and the error", async () => {
  const run = await sdkRun({ main: [false, "helm install failed: chart not found"] });
  expect(run.client).toEqual({ exitCode: 0, error: "helm install failed: chart not found" });
  expect(stripAt(run.record?.updates as never)).toEqual([
    {
      action: "init_create_status_update",
      status: "success",
      stage: "begin",
      mode: "create",
      status_data: {},
    },
    {
      action: "init_create_status_update",
      status: "failed",
      status_data: "helm install failed: chart not found",
    },
  ]);
  expect(run.verdict).toEqual({
    ok: false,
    stage: "main",
    stages: expect.any(Array),
    reason: "the SDK reported failure: helm install failed: chart not found",
  });
});

test("a block the SDK cannot read: it gives up before begin, nothing is posted, the verdict says why", async () => {
  const run = await sdkRun({}, { block: undefined });
  expect(run.client).toEqual({ exitCode: 0, error: "API returned non-200 status code" });
  expect(run.record?.updates).toEqual([]);
  expect(run.verdict).toMatchObject({
    ok: false,
    stage: "begin",
    reason: "the SDK gave up before begin: GET /blocks/blk-sdk answered 404",
  });
});

test("delete mode posts init_remove_status_update and succeeds on finish", async () => {
  const run = await sdkRun({ finish: [true, "uninstalled"] }, { mode: "delete" });
  expect(run.record?.updates.map((u) => [u.action, u.stage, u.mode])).toEqual([
    ["init_remove_status_update", "begin", "delete"],
    ["init_remove_status_update", "main", "delete"],
    ["init_remove_status_update", "finish", "delete"],
  ]);
  expect(run.verdict).toMatchObject({
    ok: true,
    stage: "finish",
    result: { status_data: "uninstalled" },
  });
});

test("an image run in upstream's 'creation' mode posts the remove action: a create run fails on it", async () => {
  // What upstream's controller does (OPERATING_MODE=creation): the SDK then sends the remove action.
  const endpoint = await startLocalSdkEndpoint({
    blockId: "blk-sdk",
    clusterId: "c1",
    blockDocument: BLOCK,
    clusterDocument: CLUSTER,
  });
  const env = {
    CONTROLLER_URL: endpoint.url,
    BLOCK_SERVICE_URL: endpoint.url,
    CLUSTER_SERVICE_URL: endpoint.url,
  };
  await runSdkClient({ ...env, BLOCK_ID: "blk-sdk", CLUSTER_ID: "c1", OPERATING_MODE: "creation" });
  const text = await endpoint.stop();
  expect(judgeSdkRun({ mode: "create", exitCode: 0, recordText: text })).toMatchObject({
    ok: false,
    stage: "begin",
    reason:
      "an update came with action 'init_remove_status_update' in a create run (OPERATING_MODE=create posts 'init_create_status_update'): the image does not run the SDK's create path",
  });
});

test.each([
  ["not JSON", "{oops", "field '(body)': expected JSON, received \"{oops\""],
  [
    "a wrong stage",
    {
      status: "success",
      stage: "middle",
      mode: "create",
      block_id: "blk-sdk",
      action: "init_create_status_update",
      cluster_id: "c1",
    },
    "field 'stage': expected one of begin, main, finish, received \"middle\"",
  ],
  [
    "another block's id",
    {
      status: "success",
      stage: "begin",
      mode: "create",
      block_id: "blk-other",
      action: "init_create_status_update",
      cluster_id: "c1",
    },
    'field \'block_id\': expected "blk-sdk", received "blk-other"',
  ],
  [
    "no action",
    { status: "success", stage: "begin", mode: "create", block_id: "blk-sdk", cluster_id: "c1" },
    "field 'action': expected one of init_create_status_update, init_remove_status_update, received nothing",
  ],
])(
  "a malformed post (%s) is refused with a 400 naming the field, and recorded",
  async (_name, body, error) => {
    const endpoint = await startLocalSdkEndpoint({ blockId: "blk-sdk", clusterId: "c1" });
    const response = await fetch(`${endpoint.url}/executeAction`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ success: false, data: error });
    const text = await endpoint.stop();
    const record = parseSdkRecord(text);
    expect(record?.rejected.map((r) => `field '${r.field}': ${r.error}`)).toEqual([error]);
    expect(judgeSdkRun({ mode: "create", exitCode: 0, recordText: text })).toMatchObject({
      ok: false,
      reason: `the SDK endpoint refused a malformed status update: ${error}`,
    });
  },
);

describe("with the network's blocks DB and cluster registry", () => {
  let double: AiosDouble;
  beforeAll(async () => {
    double = await AiosDouble.start();
  });
  afterAll(() => double.stop());

  test("records the network has are proxied; one it lacks falls back to the supplied document", async () => {
    double.blocks.set("blk-sdk", { id: "blk-sdk", blockInitData: { model: "llama" } });
    const env = {
      UPSTREAM_BLOCK_SERVICE_URL: double.url,
      UPSTREAM_CLUSTER_SERVICE_URL: double.url,
    };
    const endpoint = await startLocalSdkEndpoint({
      blockId: "blk-sdk",
      clusterId: "c1",
      blockDocument: BLOCK,
      clusterDocument: CLUSTER,
      env,
    });
    const block: unknown = await (await fetch(`${endpoint.url}/blocks/blk-sdk`)).json();
    const cluster: unknown = await (await fetch(`${endpoint.url}/clusters/c1`)).json();
    const record = parseSdkRecord(await endpoint.stop());
    expect(block).toEqual({ id: "blk-sdk", blockInitData: { model: "llama" } });
    expect(cluster).toEqual(CLUSTER);
    expect(stripAt(record?.reads as never)).toEqual([
      { path: "/blocks/blk-sdk", status: 200, source: "blocks-db" },
      {
        path: "/clusters/c1",
        status: 200,
        source: "stack",
        note: `${double.url}/clusters/c1 answered 404`,
      },
    ]);
  });
});

describe("npm run sdk-endpoint", () => {
  /** Runs the command with --stop-after-run while the SDK client runs against it. */
  async function command(behaviour: Parameters<typeof runSdkClient>[1]) {
    const child = spawn(
      path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node"),
      [
        "--transpile-only",
        path.join(PROJECT_DIR, "scripts", "sdk-endpoint.ts"),
        "--block-id",
        "blk-cli",
        "--cluster-id",
        "c1",
        "--port",
        "0",
        "--stop-after-run",
      ],
      { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    const url = await new Promise<string>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1] !== undefined) {
          resolve(m[1]);
        }
      });
    });
    const env = { CONTROLLER_URL: url, BLOCK_SERVICE_URL: url, CLUSTER_SERVICE_URL: url };
    await runSdkClient({ ...env, BLOCK_ID: "blk-cli", CLUSTER_ID: "c1" }, behaviour);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    return {
      code,
      lines: out
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.replace(/^\S+Z /, "")),
    };
  }

  test("prints each read and update as it arrives, then the verdict; exit 0 on success", async () => {
    expect(await command({ finish: [true, { server_url: "http://s:1" }] })).toEqual({
      code: 0,
      lines: [
        "GET /blocks/blk-cli -> 200 (stack)",
        "GET /clusters/c1 -> 200 (stack)",
        "init_create_status_update success stage=begin status_data={}",
        "init_create_status_update success stage=main status_data={}",
        'init_create_status_update success stage=finish status_data={"server_url":"http://s:1"}',
        'verdict: success (finish reached); result {"server_url":"http://s:1"}',
      ],
    });
  });

  test("a failing run ends with the failed verdict and exit 1", async () => {
    const run = await command({ begin: [false, "no GPU on this node"] });
    expect(run.code).toBe(1);
    expect(run.lines.slice(-2)).toEqual([
      'init_create_status_update failed status_data="no GPU on this node"',
      "verdict: failed at stage 'begin': the SDK reported failure: no GPU on this node",
    ]);
  });
});
