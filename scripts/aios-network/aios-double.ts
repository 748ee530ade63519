/**
 * A local double of the AIOS management APIs (aios-spec §2.2–2.5, §4.6) on loopback: Parser
 * createCluster, the gateway's cluster CRUD and create/remove-cluster-infra, the tasks DB, the
 * cluster registry and the init-container status query — with upstream's quirks (the Parser's
 * wrapper and its 200-with-`[false, msg]` failures, the gateway's `$set` wrapping, task ids). It
 * keeps its state for assertions, records every request, and injects faults per endpoint.
 *
 * It also stands in for the add-on registries (aios-spec §3): `/container_registry` (probes the
 * registry's `/v2/` first: no answer is a 500), `/asset_registry` (requires a 2xx from `/health`),
 * `/inference_server` (no check), `/executor` (requires `cluster_public_ip`, a KeyError upstream)
 * and `/split-runner` (upstream's handler calls an undefined function: every POST fails unless
 * `splitRunnerRegistryFixed`).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A fault for the next request(s) to one endpoint (`METHOD /path/pattern`). */
export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly body?: unknown }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "malformed" }
  | { readonly kind: "failure-in-200"; readonly message: string };

/** One recorded request. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** The fields the Parser's internal template keeps (aios-spec §2.2). */
const PARSER_FIELDS = [
  "id",
  "regionId",
  "nodes",
  "gpus",
  "vcpus",
  "memory",
  "swap",
  "storage",
  "network",
  "config",
  "tags",
  "clusterMetadata",
  "reputation",
];

interface Task {
  task_id: string;
  task_type: string;
  task_data: Record<string, unknown>;
  task_status: string;
  task_status_data: unknown;
}

/** Sets a dotted path (`config.urlMap`) in a document, as Mongo's `$set` does. */
function setPath(doc: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let at = doc;
  for (const p of parts.slice(0, -1)) {
    if (typeof at[p] !== "object" || at[p] === null) {
      at[p] = {};
    }
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1] ?? dotted] = value;
}

/** An add-on registry collection: its id field, what it checks, what it answers. */
interface Collection {
  readonly idField: string;
  readonly required: readonly string[];
  /** The probe before storing: path under the public URL and whether any answer will do. */
  readonly probe?: { readonly urlField: string; readonly path: string; readonly any: boolean };
  readonly created: (id: string) => unknown;
  readonly status: number;
}

/** The add-on registries' collections (aios-spec §3.1–3.5). */
const COLLECTIONS: Readonly<Record<string, Collection>> = {
  container_registry: {
    idField: "container_registry_id",
    required: ["container_registry_name", "container_registry_public_url"],
    probe: { urlField: "container_registry_public_url", path: "/v2/", any: true },
    created: (id) => ({ message: "Container registry created", id }),
    status: 201,
  },
  asset_registry: {
    idField: "asset_registry_id",
    required: ["asset_registry_name", "asset_registry_public_url"],
    probe: { urlField: "asset_registry_public_url", path: "/health", any: false },
    created: (id) => ({ message: "Asset registry created", id }),
    status: 201,
  },
  inference_server: {
    idField: "inference_server_id",
    required: ["inference_server_name", "inference_server_public_url"],
    created: (id) => ({ message: "Inference server created", id }),
    status: 201,
  },
  executor: {
    idField: "executor_id",
    required: ["executor_id", "executor_metadata", "executor_hardware_info", "cluster_public_ip"],
    created: () => "Executor created successfully.",
    status: 200,
  },
  "split-runner": {
    idField: "split_runner_id",
    required: ["split_runner_public_host"],
    created: (id) => ({ message: "SplitRunner created", id }),
    status: 201,
  },
};

/** The double. */
export class AiosDouble {
  /** Add-on registry entries by collection, then id. */
  readonly entries = new Map<string, Map<string, Record<string, unknown>>>(
    Object.keys(COLLECTIONS).map((c) => [c, new Map()]),
  );
  /** Registered clusters by id, as the registry stores them. */
  readonly clusters = new Map<string, Record<string, unknown>>();
  readonly tasks = new Map<string, Task>();
  /** Requests, kubeconfigs redacted. */
  readonly requests: RecordedRequest[] = [];
  /** The kubeconfigs create-cluster-infra received, as sent. */
  readonly kubeconfigs: unknown[] = [];
  /** Fail the next infra task instead of completing it, with this message. */
  failNextTask?: string;
  /** The blocks DB's documents by block id (upstream's Express/Mongoose service). */
  readonly blocks = new Map<string, Record<string, unknown>>();
  /**
   * Upstream's split-runner registry fails every POST (its handler calls an undefined function,
   * aios-spec §3.5); set this to stand in for a network whose registry has been fixed.
   */
  splitRunnerRegistryFixed = false;
  /** The probes the add-on registries made, with the status they got (none: unreachable). */
  readonly probes: { url: string; status?: number }[] = [];
  /** How long infra tasks stay pending. */
  taskDelayMs = 200;
  private readonly faults = new Map<string, Fault[]>();
  private server?: http.Server;
  private stateFile?: string;
  private taskSeq = 0;
  url = "";

  /**
   * Starts the double on loopback: on `port` (default: one the kernel picks), with the registered
   * clusters of `stateFile` when given (`npm start` keeps the dev network's state across runs).
   */
  static async start(options: { port?: number; stateFile?: string } = {}): Promise<AiosDouble> {
    const d = new AiosDouble();
    d.stateFile = options.stateFile;
    if (d.stateFile !== undefined && fs.existsSync(d.stateFile)) {
      const saved = JSON.parse(fs.readFileSync(d.stateFile, "utf8")) as Record<
        string,
        Record<string, unknown>
      >;
      for (const [id, doc] of Object.entries(saved)) {
        d.clusters.set(id, doc);
      }
    }
    d.server = http.createServer((req, res) => d.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      d.server?.once("error", reject);
      d.server?.listen(options.port ?? 0, "127.0.0.1", resolve);
    });
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  /** Stops it, saving the registered clusters to its state file. */
  async stop(): Promise<void> {
    if (this.stateFile !== undefined) {
      fs.writeFileSync(this.stateFile, JSON.stringify(Object.fromEntries(this.clusters), null, 2));
    }
    await new Promise<void>((resolve) => {
      if (this.server?.listening !== true) {
        return resolve();
      }
      this.server.close(() => resolve());
      // Keep-alive connections of the clients would hold the close for their idle timeout.
      this.server.closeAllConnections();
    });
  }

  /** Queues faults for an endpoint such as `POST /api/createCluster` or `GET /clusters/:id`. */
  inject(endpoint: string, ...faults: Fault[]): void {
    this.faults.set(endpoint, [...(this.faults.get(endpoint) ?? []), ...faults]);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      // A kubeconfig is kept apart, never in the request log.
      const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      if ("kube_config_data" in b) {
        this.kubeconfigs.push(b.kube_config_data);
      }
      const logged = "kube_config_data" in b ? { ...b, kube_config_data: "<redacted>" } : body;
      this.requests.push({ method: req.method ?? "", path, body: logged });
      void this.respond(req.method ?? "", path, body, res);
    });
  }

  private async respond(method: string, path: string, body: unknown, res: http.ServerResponse) {
    const [endpoint, params] = this.route(method, path);
    const send = (status: number, payload: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    const fault = this.faults.get(endpoint)?.shift();
    if (fault?.kind === "delay") {
      await new Promise((r) => setTimeout(r, fault.ms));
    } else if (fault?.kind === "status") {
      return send(fault.status, fault.body ?? { success: false, message: "injected fault" });
    } else if (fault?.kind === "malformed") {
      return res.writeHead(200, { "content-type": "application/json" }).end("{not json");
    } else if (fault?.kind === "failure-in-200") {
      return send(200, { success: true, task_id: "", result: [false, fault.message] });
    }
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const id = params[0] ?? "";
    switch (endpoint) {
      case "POST /api/createCluster": {
        if (b.body === undefined) {
          return send(500, { error: "'body'" });
        }
        const values =
          (b.body as { spec?: { values?: Record<string, unknown> } }).spec?.values ?? {};
        const doc = Object.fromEntries(
          PARSER_FIELDS.filter((f) => f in values).map((f) => [f, values[f]]),
        );
        if (this.clusters.has(String(doc.id))) {
          // Upstream swallows the registry's error and still answers 200.
          return send(200, {
            success: true,
            task_id: "",
            result: [false, `E11000 duplicate key error: id ${String(doc.id)}`],
          });
        }
        const stored = { ...doc, _id: `oid-${String(doc.id)}`, __v: 0 };
        this.clusters.set(String(doc.id), stored);
        return send(200, { success: true, task_id: "", result: stored });
      }
      case "GET /clusters/read/:id": {
        const doc = this.clusters.get(id);
        return doc === undefined
          ? send(500, { success: false, data: "Cluster not found" })
          : send(200, { success: true, data: doc });
      }
      case "GET /clusters/:id": {
        const doc = this.clusters.get(id);
        return doc === undefined ? send(404, { error: "Cluster not found" }) : send(200, doc);
      }
      case "PUT /clusters/update/:id": {
        const doc = this.clusters.get(id);
        if (doc === undefined) {
          return send(500, { success: false, data: "Cluster not found" });
        }
        // The gateway wraps the plain field map as {"$set": body}.
        for (const [k, v] of Object.entries(b)) {
          setPath(doc, k, v);
        }
        return send(200, { success: true, data: doc });
      }
      case "DELETE /clusters/delete/:id": {
        if (!this.clusters.delete(id)) {
          return send(500, { success: false, data: "Cluster not found" });
        }
        return send(200, { success: true, data: { message: "Cluster deleted" } });
      }
      case "POST /create-cluster-infra":
      case "POST /remove-cluster-infra": {
        const create = endpoint.includes("create");
        if (create && (typeof b.kube_config_data !== "object" || b.cluster_id === undefined)) {
          return send(400, { error: "Missing 'kube_config_data' or 'cluster_id'" });
        }
        this.taskSeq += 1;
        const task: Task = {
          task_id: `task-${this.taskSeq}`,
          task_type: "cluster_infra_creation",
          task_data: { cluster_id: b.cluster_id },
          task_status: "pending",
          task_status_data: {},
        };
        this.tasks.set(task.task_id, task);
        const failure = this.failNextTask;
        this.failNextTask = undefined;
        setTimeout(() => {
          task.task_status = failure === undefined ? "completed" : "failed";
          task.task_status_data =
            failure === undefined
              ? { result: this.clusters.get(String(b.cluster_id)) ?? {} }
              : { error: failure };
        }, this.taskDelayMs);
        return send(200, {
          success: true,
          data: { message: "scheduled in background", task_id: task.task_id },
        });
      }
      case "GET /task/:id": {
        const task = this.tasks.get(id);
        return task === undefined
          ? send(404, { success: false, message: "task not found" })
          : send(200, { success: true, data: task });
      }
      // The blocks DB (services/registries/blocks): raw documents, {message} errors.
      case "POST /blocks": {
        if (typeof b.id !== "string") {
          return send(400, { message: "Block validation failed: id: Path `id` is required." });
        }
        if (this.blocks.has(b.id)) {
          return send(400, {
            message: `E11000 duplicate key error collection: blocks index: id_1 dup key: { id: "${b.id}" }`,
          });
        }
        this.blocks.set(b.id, { ...b });
        return send(201, this.blocks.get(b.id));
      }
      case "GET /blocks/:id": {
        const doc = this.blocks.get(id);
        return doc === undefined ? send(404, { message: "Block not found" }) : send(200, doc);
      }
      case "PUT /blocks/:id": {
        const doc = this.blocks.get(id);
        if (doc === undefined) {
          return send(404, { message: "Block not found" });
        }
        // Mongoose treats a plain object as $set; dotted paths set nested fields.
        const set = (b.$set ?? b) as Record<string, unknown>;
        for (const [key, value] of Object.entries(set)) {
          const parts = key.split(".");
          let at = doc;
          for (const part of parts.slice(0, -1)) {
            at[part] = typeof at[part] === "object" && at[part] !== null ? at[part] : {};
            at = at[part] as Record<string, unknown>;
          }
          at[parts.at(-1) ?? key] = value;
        }
        return send(200, doc);
      }
      case "DELETE /blocks/:id":
        return this.blocks.delete(id)
          ? send(200, { message: "Block deleted successfully" })
          : send(404, { message: "Block not found" });
      default:
        return this.collection(method, path, b, send);
    }
  }

  /** The add-on registries: `POST /<collection>`, `GET|DELETE /<collection>/<id>`. */
  private async collection(
    method: string,
    path: string,
    b: Record<string, unknown>,
    send: (status: number, payload: unknown) => void,
  ): Promise<void> {
    const [, name = "", id, extra] = path.split("/").map(decodeURIComponent);
    const spec = COLLECTIONS[name];
    const entries = this.entries.get(name);
    if (spec === undefined || entries === undefined || extra !== undefined) {
      return send(404, { error: `no route ${method} ${path}` });
    }
    if (method === "POST" && id === undefined) {
      const missing = spec.required.find((f) => b[f] === undefined);
      if (missing !== undefined) {
        return send(500, { success: false, message: `'${missing}'` });
      }
      if (name === "split-runner" && !this.splitRunnerRegistryFixed) {
        return send(500, {
          success: false,
          message: "name 'deploy_split_runner_and_get_url' is not defined",
        });
      }
      if (spec.probe !== undefined) {
        const target = `${String(b[spec.probe.urlField]).replace(/\/$/, "")}${spec.probe.path}`;
        const answer = await fetch(target, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.status,
          () => undefined,
        );
        this.probes.push({ url: target, status: answer });
        const ok = answer !== undefined && (spec.probe.any || (answer >= 200 && answer < 300));
        if (!ok) {
          return send(spec.probe.any ? 500 : 400, {
            success: false,
            message: `health check of ${target} failed: ${answer === undefined ? "unreachable" : `answered ${answer}`}`,
          });
        }
      }
      const entryId =
        typeof b[spec.idField] === "string" ? String(b[spec.idField]) : `gen-${entries.size + 1}`;
      if (entries.has(entryId)) {
        return send(500, { success: false, message: `E11000 duplicate key error: ${entryId}` });
      }
      const stored =
        name === "executor"
          ? { ...b, executor_host_uri: `http://${String(b.cluster_public_ip)}:30900` }
          : { ...b, [spec.idField]: entryId };
      entries.set(entryId, stored);
      return send(spec.status, { success: true, data: spec.created(entryId) });
    }
    if (id === undefined || (method !== "GET" && method !== "DELETE")) {
      return send(404, { error: `no route ${method} ${path}` });
    }
    const entry = entries.get(id);
    if (entry === undefined) {
      return send(404, { success: false, message: `${id} not found` });
    }
    if (method === "DELETE") {
      entries.delete(id);
      return send(200, { success: true, data: { message: "deleted" } });
    }
    return send(200, { success: true, data: entry });
  }

  /** The endpoint key and path parameters of a request. */
  private route(method: string, path: string): [string, string[]] {
    const patterns = [
      "/api/createCluster",
      "/clusters/update/:id",
      "/clusters/read/:id",
      "/clusters/delete/:id",
      "/clusters/:id",
      "/create-cluster-infra",
      "/remove-cluster-infra",
      "/task/:id",
      "/blocks",
      "/blocks/:id",
      ...Object.keys(COLLECTIONS).flatMap((c) => [`/${c}`, `/${c}/:id`]),
    ];
    for (const p of patterns) {
      const re = new RegExp(`^${p.replace(/:id/g, "([^/]+)")}$`);
      const m = re.exec(path);
      if (m !== null) {
        return [`${method} ${p}`, m.slice(1).map(decodeURIComponent)];
      }
    }
    return [`${method} ${path}`, []];
  }
}
