// @ts-check
/**
 * The SDK endpoint of one init-container lifecycle run. It runs as a native sidecar in the Job's
 * pod (image `aios-infra:images.sdkEndpoint`, this file mounted from a ConfigMap) and speaks, on
 * 127.0.0.1 only, what the AIOS init-container SDK calls (docs/upstream-aios.md, "Init-container
 * SDK"):
 *
 *   GET  /blocks/<id>      the block document (the SDK's constructor; BLOCK_SERVICE_URL)
 *   GET  /clusters/<id>    the cluster document (CLUSTER_SERVICE_URL)
 *   POST /executeAction    one status update per stage, or the failure update (CONTROLLER_URL)
 *   GET  /healthz          the startup probe
 *
 * Documents come from the network's blocks DB / cluster registry when UPSTREAM_* URLs are set and
 * they answer 200 with JSON (proxied), otherwise from the files the stack supplies. Every read and
 * update is printed as one JSON line as it arrives, written best-effort to the run's status
 * ConfigMap (so `pulumi up` can show stages as they arrive), and on SIGTERM — the kubelet's signal
 * once the init container has exited — the whole record is written to RECORD_FILE (the container's
 * termination message), where the provider reads it. Node's own modules only.
 */
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");

const env = process.env;
const BLOCK_ID = env.BLOCK_ID ?? "";
const CLUSTER_ID = env.CLUSTER_ID ?? "";
const MODE = env.OPERATING_MODE ?? "create";
const PORT = Number(env.SDK_ENDPOINT_PORT ?? "4000");
const HOST = env.SDK_ENDPOINT_HOST ?? "127.0.0.1";
const DOCUMENTS_DIR = env.DOCUMENTS_DIR ?? "/sdk-endpoint";
const RECORD_FILE = env.RECORD_FILE ?? "/dev/termination-log";
/** The kubelet keeps at most 4096 bytes of a termination message. */
const RECORD_LIMIT = Number(env.RECORD_LIMIT ?? "4096");
const RUN_ID = env.RUN_ID ?? "";

/** The SDK's action names: `init_create_status_update` only when OPERATING_MODE is `create`. */
const ACTIONS = ["init_create_status_update", "init_remove_status_update"];
const STAGES = ["begin", "main", "finish"];

/** @type {{v: number, run: string, block: string, cluster: string, mode: string, reads: any[], updates: any[], rejected: any[]}} */
const record = {
  v: 1,
  run: RUN_ID,
  block: BLOCK_ID,
  cluster: CLUSTER_ID,
  mode: MODE,
  reads: [],
  updates: [],
  rejected: [],
};

/** @param {string} kind @param {unknown} entry */
function print(kind, entry) {
  process.stdout.write(`${JSON.stringify({ event: kind, .../** @type {object} */ (entry) })}\n`);
}

/** @param {string} name */
function suppliedDocument(name) {
  try {
    return JSON.parse(fs.readFileSync(`${DOCUMENTS_DIR}/${name}`, "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * GETs a JSON document from the network; undefined with the reason unless it answers 200 + JSON.
 * @param {string} url
 * @returns {Promise<{doc?: unknown, why: string}>}
 */
async function fetchUpstream(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (response.status !== 200) {
      return { why: `${url} answered ${response.status}` };
    }
    return { doc: await response.json(), why: "" };
  } catch (e) {
    return { why: `${url}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Answers a document read: the upstream record when there is one, else the supplied document.
 * @param {"blocks" | "clusters"} kind @param {string} id @param {http.ServerResponse} res
 */
async function readDocument(kind, id, res) {
  const own = kind === "blocks" ? BLOCK_ID : CLUSTER_ID;
  const upstream =
    kind === "blocks" ? env.UPSTREAM_BLOCK_SERVICE_URL : env.UPSTREAM_CLUSTER_SERVICE_URL;
  const path = `/${kind}/${id}`;
  let doc;
  let source = "stack";
  let note = "";
  if (id === own && upstream !== undefined && upstream !== "") {
    const got = await fetchUpstream(
      `${upstream.replace(/\/$/, "")}/${kind}/${encodeURIComponent(id)}`,
    );
    if (got.doc !== undefined) {
      doc = got.doc;
      source = kind === "blocks" ? "blocks-db" : "cluster-registry";
    } else {
      note = got.why;
    }
  }
  if (doc === undefined && id === own) {
    doc = suppliedDocument(kind === "blocks" ? "block.json" : "cluster.json");
  }
  const status = doc === undefined ? 404 : 200;
  const read = {
    at: new Date().toISOString(),
    path,
    status,
    source: status === 200 ? source : "none",
    ...(note === "" ? {} : { note }),
  };
  record.reads.push(read);
  print("read", read);
  // Upstream's registries answer 404 with a message object (blocks DB, cluster registry).
  const body =
    doc ?? (kind === "blocks" ? { message: "Block not found" } : { error: "Cluster not found" });
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * The first problem of an executeAction body, as `field`/`error`; undefined when well formed.
 * @param {any} b
 * @returns {{field: string, error: string} | undefined}
 */
function problem(b) {
  const shown = (/** @type {unknown} */ v) => (v === undefined ? "nothing" : JSON.stringify(v));
  if (typeof b !== "object" || b === null || Array.isArray(b)) {
    return { field: "(body)", error: `expected a JSON object, received ${shown(b)}` };
  }
  if (!ACTIONS.includes(b.action)) {
    return {
      field: "action",
      error: `expected one of ${ACTIONS.join(", ")}, received ${shown(b.action)}`,
    };
  }
  if (b.block_id !== BLOCK_ID) {
    return {
      field: "block_id",
      error: `expected ${JSON.stringify(BLOCK_ID)}, received ${shown(b.block_id)}`,
    };
  }
  if (b.cluster_id !== null && typeof b.cluster_id !== "string") {
    return {
      field: "cluster_id",
      error: `expected a string or null, received ${shown(b.cluster_id)}`,
    };
  }
  if (b.status === "failed") {
    return "status_data" in b
      ? undefined
      : {
          field: "status_data",
          error: "a failed update carries the error in status_data, received nothing",
        };
  }
  if (b.status !== "success") {
    return {
      field: "status",
      error: `expected "success" or "failed", received ${shown(b.status)}`,
    };
  }
  if (!STAGES.includes(b.stage)) {
    return {
      field: "stage",
      error: `expected one of ${STAGES.join(", ")}, received ${shown(b.stage)}`,
    };
  }
  if (typeof b.mode !== "string") {
    return {
      field: "mode",
      error: `expected the operating mode as a string, received ${shown(b.mode)}`,
    };
  }
  return undefined;
}

/** @param {http.IncomingMessage} req @returns {Promise<string>} */
function bodyOf(req) {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (text += c));
    req.on("end", () => resolve(text));
    req.on("error", reject);
  });
}

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
async function executeAction(req, res) {
  const text = await bodyOf(req);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const at = new Date().toISOString();
  const bad =
    body === undefined
      ? { field: "(body)", error: `expected JSON, received ${JSON.stringify(text.slice(0, 200))}` }
      : problem(body);
  if (bad !== undefined) {
    const rejected = { at, ...bad };
    record.rejected.push(rejected);
    print("rejected", rejected);
    res
      .writeHead(400, { "content-type": "application/json" })
      .end(JSON.stringify({ success: false, data: `field '${bad.field}': ${bad.error}` }));
    return;
  }
  const update = {
    at,
    action: body.action,
    status: body.status,
    ...(body.status === "success" ? { stage: body.stage, mode: body.mode } : {}),
    status_data: body.status_data,
    // The SDK sends the stage's data as both message and status_data; keep message only if it differs.
    ...(JSON.stringify(body.message) === JSON.stringify(body.status_data)
      ? {}
      : { message: body.message }),
  };
  record.updates.push(update);
  print("update", update);
  void publishProgress();
  res.writeHead(200, { "content-type": "application/json" }).end(
    JSON.stringify({
      success: true,
      data: { message: "status update recorded", index: record.updates.length - 1 },
    }),
  );
}

/** @param {unknown} v @param {number} max */
function short(v, max) {
  const text = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The run's stages as the status ConfigMap carries them. */
function stagesOf() {
  return record.updates.map((u) => ({
    stage: u.stage ?? "failed",
    status: u.status,
    message: short(u.status_data, 500),
    at: u.at,
  }));
}

/** Where the status ConfigMap is, when this endpoint may write to the API server. */
function apiTarget() {
  const name = env.STATUS_CONFIGMAP;
  const namespace = env.POD_NAMESPACE;
  const sa = "/var/run/secrets/kubernetes.io/serviceaccount";
  const server =
    env.SDK_ENDPOINT_KUBE_URL ??
    (env.KUBERNETES_SERVICE_HOST === undefined
      ? undefined
      : `https://${env.KUBERNETES_SERVICE_HOST.includes(":") ? `[${env.KUBERNETES_SERVICE_HOST}]` : env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`);
  const tokenFile = env.SDK_ENDPOINT_KUBE_TOKEN_FILE ?? `${sa}/token`;
  const caFile = env.SDK_ENDPOINT_KUBE_CA_FILE ?? `${sa}/ca.crt`;
  if (
    name === undefined ||
    namespace === undefined ||
    server === undefined ||
    !fs.existsSync(tokenFile)
  ) {
    return undefined;
  }
  return { name, namespace, server, tokenFile, caFile };
}

let progressChain = Promise.resolve();
/** Applies the stages so far to the status ConfigMap (server-side apply); failures are only logged. */
function publishProgress() {
  const target = apiTarget();
  if (target === undefined) {
    return Promise.resolve();
  }
  const last = record.updates[record.updates.length - 1];
  const body = JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: target.name, namespace: target.namespace },
    data: {
      run: RUN_ID,
      mode: MODE,
      status: "running",
      stage: last?.stage ?? "failed",
      stages: JSON.stringify(stagesOf()),
    },
  });
  progressChain = progressChain.then(
    () =>
      new Promise((resolve) => {
        const url = new URL(
          `/api/v1/namespaces/${target.namespace}/configmaps/${target.name}?fieldManager=aios-sdk-endpoint&force=true`,
          target.server,
        );
        const req = https.request(
          url,
          {
            method: "PATCH",
            headers: {
              authorization: `Bearer ${fs.readFileSync(target.tokenFile, "utf8").trim()}`,
              "content-type": "application/apply-patch+yaml",
            },
            ca: fs.existsSync(target.caFile) ? fs.readFileSync(target.caFile) : undefined,
            timeout: 5000,
          },
          (res) => {
            res.resume();
            if ((res.statusCode ?? 0) >= 300) {
              process.stderr.write(`progress: status ConfigMap answered ${res.statusCode}\n`);
            }
            res.on("end", () => resolve(undefined));
          },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (e) => {
          process.stderr.write(`progress: ${e.message}\n`);
          resolve(undefined);
        });
        req.end(body);
      }),
  );
  return progressChain;
}

/**
 * The record as it fits the termination message: the SDK's stage data shortened first (all but
 * finish's), then the reads' notes; `truncated` says whether anything was cut.
 */
function fittedRecord() {
  let text = JSON.stringify(record);
  if (Buffer.byteLength(text) <= RECORD_LIMIT) {
    return text;
  }
  const copy = JSON.parse(text);
  copy.truncated = true;
  for (const max of [400, 120, 40]) {
    for (const u of copy.updates) {
      if (u.stage !== "finish") {
        u.status_data = short(u.status_data, max);
        if ("message" in u) {
          u.message = short(u.message, max);
        }
      }
    }
    for (const r of [...copy.reads, ...copy.rejected]) {
      for (const k of ["note", "error"]) {
        if (k in r) {
          r[k] = short(r[k], max);
        }
      }
    }
    text = JSON.stringify(copy);
    if (Buffer.byteLength(text) <= RECORD_LIMIT) {
      return text;
    }
  }
  // Still too large: only finish's own data can be; keep the verdict's facts and say so.
  copy.updates = copy.updates.map((/** @type {any} */ u) =>
    u.stage === "finish"
      ? { ...u, status_data: null, oversized: Buffer.byteLength(JSON.stringify(u.status_data)) }
      : u,
  );
  return JSON.stringify(copy);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://endpoint");
  const match = /^\/(blocks|clusters)\/([^/]+)$/.exec(url.pathname);
  let work;
  if (req.method === "GET" && url.pathname === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  } else if (req.method === "GET" && match !== null) {
    work = readDocument(
      /** @type {"blocks" | "clusters"} */ (match[1]),
      decodeURIComponent(match[2]),
      res,
    );
  } else if (req.method === "POST" && url.pathname === "/executeAction") {
    work = executeAction(req, res);
  } else {
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ success: false, data: `no route ${req.method} ${url.pathname}` }));
    return;
  }
  work.catch((e) => {
    if (!res.headersSent) {
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ success: false, data: String(e) }));
    }
  });
});

let stopping = false;
async function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  server.close();
  await Promise.race([progressChain, new Promise((r) => setTimeout(r, 3000))]);
  const text = fittedRecord();
  try {
    fs.writeFileSync(RECORD_FILE, text);
  } catch (e) {
    process.stderr.write(
      `cannot write the record to ${RECORD_FILE}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
  }
  print("record", JSON.parse(text));
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

server.listen(PORT, HOST, () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : PORT;
  print("listening", { host: HOST, port, block: BLOCK_ID, cluster: CLUSTER_ID, mode: MODE });
});
