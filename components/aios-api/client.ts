/**
 * A typed client for the AIOS management APIs the stack uses (aios-spec §2.2–2.5, §4.6): the
 * Parser's createCluster (with its header/body.spec.values wrapper), the gateway's cluster update
 * and delete, create/remove-cluster-infra with task polling on the tasks DB, the cluster registry,
 * and the init-container status query. Responses are validated with zod; a 200 whose body reports
 * failure (`success: false`, `result: [false, msg]`) is a failure.
 *
 * Functions, not a class, and schemas built inside them: dynamic providers serialize these by value.
 */
import { z } from "zod";
import { AiosApiError, requestJson, serverMessage, type JsonResponse } from "./http";

/** Base URLs of the AIOS management services. */
export interface AiosEndpoints {
  /** Parser API (`parser_url`). */
  readonly parser?: string;
  /** Cluster-controller gateway (`cluster_controller_gateway_url`). */
  readonly gateway?: string;
  /** Cluster registry (`cluster_db_url`). */
  readonly clusterRegistry: string;
  /** Tasks DB (`tasks_db_url`). */
  readonly tasksDb?: string;
}

/** Options of every call. */
export interface CallOptions {
  /** Retry transient faults until this many ms have passed. @default 30000 */
  readonly deadlineMs?: number;
}

function base(url: string | undefined, name: string): string {
  if (url === undefined) {
    throw new Error(`the AIOS ${name} URL is not configured (aios-infra:network)`);
  }
  return url.replace(/\/$/, "");
}

/** Fails unless the status is 2xx, with the server's own message. */
function expectOk(endpoint: string, r: JsonResponse): void {
  if (r.status < 200 || r.status >= 300) {
    throw new AiosApiError(endpoint, r.status, serverMessage(r.body), 1);
  }
}

/** Parses a body with a schema built by `schema`, failing with the endpoint and the problem. */
function parseBody<T>(endpoint: string, r: JsonResponse, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(r.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AiosApiError(
      endpoint,
      r.status,
      `unexpected response body (${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}): ${JSON.stringify(r.body).slice(0, 200)}`,
      1,
    );
  }
  return parsed.data;
}

/** A 200 that says it failed. */
function failedIn200(endpoint: string, status: number, message: string): never {
  throw new AiosApiError(endpoint, status, `reported failure: ${message}`, 1);
}

/** Registers a cluster document through the Parser; returns the stored document. */
export async function createCluster(
  ep: AiosEndpoints,
  document: Record<string, unknown>,
  opts: CallOptions = {},
): Promise<Record<string, unknown>> {
  const url = `${base(ep.parser, "Parser")}/api/createCluster`;
  const endpoint = `POST ${url}`;
  const r = await requestJson({
    method: "POST",
    url,
    body: {
      header: { templateUri: "Parser/V1", parameters: {} },
      body: { spec: { values: document } },
    },
    deadlineMs: opts.deadlineMs,
  });
  expectOk(endpoint, r);
  const body = parseBody(
    endpoint,
    r,
    z.object({
      success: z.boolean(),
      task_id: z.string().optional(),
      result: z.union([
        z.tuple([z.literal(false), z.unknown()]),
        z.record(z.string(), z.unknown()),
      ]),
    }),
  );
  if (!body.success) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
  if (Array.isArray(body.result)) {
    failedIn200(
      endpoint,
      r.status,
      typeof body.result[1] === "string" ? body.result[1] : JSON.stringify(body.result[1]),
    );
  }
  return body.result;
}

/** Reads a cluster from the registry; undefined when it is not registered. */
export async function readCluster(
  ep: AiosEndpoints,
  clusterId: string,
  opts: CallOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const url = `${base(ep.clusterRegistry, "cluster registry")}/clusters/${encodeURIComponent(clusterId)}`;
  const endpoint = `GET ${url}`;
  const r = await requestJson({ method: "GET", url, deadlineMs: opts.deadlineMs });
  if (r.status === 404) {
    return undefined;
  }
  expectOk(endpoint, r);
  return parseBody(endpoint, r, z.object({ id: z.string() }).loose());
}

/** Reads a cluster through the gateway (`GET /clusters/read/<id>`, wrapped in `success`/`data`). */
export async function readClusterViaGateway(
  ep: AiosEndpoints,
  clusterId: string,
  opts: CallOptions = {},
): Promise<Record<string, unknown>> {
  const url = `${base(ep.gateway, "gateway")}/clusters/read/${encodeURIComponent(clusterId)}`;
  const endpoint = `GET ${url}`;
  const r = await requestJson({ method: "GET", url, deadlineMs: opts.deadlineMs });
  expectOk(endpoint, r);
  const body = parseBody(endpoint, r, z.object({ success: z.boolean(), data: z.unknown() }));
  if (!body.success || typeof body.data !== "object" || body.data === null) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
  return body.data as Record<string, unknown>;
}

/** Updates fields of a registered cluster through the gateway (PUT, a plain field map). */
export async function updateCluster(
  ep: AiosEndpoints,
  clusterId: string,
  fields: Record<string, unknown>,
  opts: CallOptions = {},
): Promise<void> {
  const url = `${base(ep.gateway, "gateway")}/clusters/update/${encodeURIComponent(clusterId)}`;
  const endpoint = `PUT ${url}`;
  const r = await requestJson({ method: "PUT", url, body: fields, deadlineMs: opts.deadlineMs });
  expectOk(endpoint, r);
  const body = parseBody(endpoint, r, z.object({ success: z.boolean() }).loose());
  if (!body.success) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
}

/** Removes a cluster through the gateway; an already absent cluster is fine. */
export async function deleteCluster(
  ep: AiosEndpoints,
  clusterId: string,
  opts: CallOptions = {},
): Promise<void> {
  if ((await readCluster(ep, clusterId, opts)) === undefined) {
    return;
  }
  const url = `${base(ep.gateway, "gateway")}/clusters/delete/${encodeURIComponent(clusterId)}`;
  const endpoint = `DELETE ${url}`;
  const r = await requestJson({ method: "DELETE", url, deadlineMs: opts.deadlineMs });
  expectOk(endpoint, r);
  const body = parseBody(endpoint, r, z.object({ success: z.boolean() }).loose());
  if (!body.success) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
}

/** A task of the tasks DB. */
export interface AiosTask {
  readonly task_id: string;
  readonly task_status: string;
  readonly task_status_data?: unknown;
}

/** Reads a task. */
export async function getTask(
  ep: AiosEndpoints,
  taskId: string,
  opts: CallOptions = {},
): Promise<AiosTask> {
  const url = `${base(ep.tasksDb, "tasks DB")}/task/${encodeURIComponent(taskId)}`;
  const endpoint = `GET ${url}`;
  const r = await requestJson({ method: "GET", url, deadlineMs: opts.deadlineMs });
  expectOk(endpoint, r);
  const body = parseBody(
    endpoint,
    r,
    z.object({
      success: z.boolean(),
      data: z
        .object({ task_id: z.string(), task_status: z.string(), task_status_data: z.unknown() })
        .loose(),
    }),
  );
  if (!body.success) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
  return body.data;
}

/** Starts create- or remove-cluster-infra; returns the task id. */
export async function startClusterInfra(
  ep: AiosEndpoints,
  action: "create" | "remove",
  clusterId: string,
  kubeconfig: Record<string, unknown> | undefined,
  opts: CallOptions = {},
): Promise<string> {
  const url = `${base(ep.gateway, "gateway")}/${action}-cluster-infra`;
  const endpoint = `POST ${url}`;
  const r = await requestJson({
    method: "POST",
    url,
    // kube_config_data must be the kubeconfig as a JSON object (aios-spec §2.4).
    body: {
      cluster_id: clusterId,
      ...(kubeconfig === undefined ? {} : { kube_config_data: kubeconfig }),
    },
    deadlineMs: opts.deadlineMs,
  });
  expectOk(endpoint, r);
  const body = parseBody(
    endpoint,
    r,
    z.object({ success: z.boolean(), data: z.object({ task_id: z.string() }).loose() }),
  );
  if (!body.success) {
    failedIn200(endpoint, r.status, serverMessage(body));
  }
  return body.data.task_id;
}

/** Polls a task until it completes or fails, within `timeoutMs`. */
export async function waitForTask(
  ep: AiosEndpoints,
  taskId: string,
  timeoutMs: number,
  pollMs = 1000,
): Promise<AiosTask> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const task = await getTask(ep, taskId, { deadlineMs: Math.max(1000, until - Date.now()) });
    if (task.task_status === "completed") {
      return task;
    }
    if (task.task_status === "failed") {
      throw new Error(`AIOS task ${taskId} failed: ${serverMessage(task.task_status_data)}`);
    }
    if (Date.now() + pollMs > until) {
      throw new Error(
        `AIOS task ${taskId} is still '${task.task_status}' after ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
