/**
 * The AIOS registries an add-on registers with (aios-spec §3): the container-registry registry
 * (`/container_registry`), the assets registry (`/asset_registry`), the inference-server registry
 * (`/inference_server`), the policy system's executors (`/executor`) and the split-runner registry
 * (`/split-runner`). They share one shape: `POST /<collection>` with the entry (its id in an
 * `<x>_id` field), `GET` and `DELETE /<collection>/<id>`, `{success, data}` bodies.
 *
 * Functions only: dynamic providers serialize these by value.
 */
import { AiosApiError, requestJson, serverMessage, type JsonResponse } from "./http";
import type { CallOptions } from "./client";

/** Where one kind of entry lives. */
export interface RegistryCollection {
  /** The registry's base URL (`http://<mgmt>:30109`). */
  readonly url: string;
  /** The collection path (`container_registry`). */
  readonly collection: string;
}

function entryUrl(c: RegistryCollection, id?: string): string {
  const base = `${c.url.replace(/\/$/, "")}/${c.collection}`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

/**
 * The registries answer 500 for permanent errors (a failed probe, a missing field, a duplicate
 * id): only gateway-level statuses are retried.
 */
const TRANSIENT = [502, 503, 504];

/** One call to a registry, retrying only its transient statuses. */
function call(
  method: "GET" | "POST" | "DELETE",
  url: string,
  opts: CallOptions,
  body?: Record<string, unknown>,
): Promise<JsonResponse> {
  return requestJson({
    method,
    url,
    ...(body === undefined ? {} : { body }),
    deadlineMs: opts.deadlineMs,
    transientStatuses: TRANSIENT,
  });
}

/** A failure unless 2xx and not `success: false`. */
function expectSuccess(endpoint: string, r: JsonResponse): void {
  const reported = (r.body as { success?: unknown } | undefined)?.success;
  if (r.status < 200 || r.status >= 300 || reported === false) {
    throw new AiosApiError(endpoint, r.status, serverMessage(r.body), 1);
  }
}

/** Creates an entry (the body carries its id); returns the registry's `data`. */
export async function registerEntry(
  c: RegistryCollection,
  body: Record<string, unknown>,
  opts: CallOptions = {},
): Promise<unknown> {
  const url = entryUrl(c);
  const r = await call("POST", url, opts, body);
  expectSuccess(`POST ${url}`, r);
  return (r.body as { data?: unknown } | undefined)?.data;
}

/** Reads an entry; undefined when the registry does not have it. */
export async function readEntry(
  c: RegistryCollection,
  id: string,
  opts: CallOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const url = entryUrl(c, id);
  const r = await call("GET", url, opts);
  if (r.status === 404) {
    return undefined;
  }
  expectSuccess(`GET ${url}`, r);
  const data = (r.body as { data?: unknown } | undefined)?.data;
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : {};
}

/** Deletes an entry; one already gone is fine. */
export async function deleteEntry(
  c: RegistryCollection,
  id: string,
  opts: CallOptions = {},
): Promise<void> {
  const url = entryUrl(c, id);
  const r = await call("DELETE", url, opts);
  if (r.status !== 404) {
    expectSuccess(`DELETE ${url}`, r);
  }
}

/** What a probe accepts: a 2xx, or any answer below 500 (a registry asking for credentials). */
export type ProbeAccepts = "2xx" | "below-500";

/**
 * Waits until `GET url` answers as `accepts` says (the registries probe the add-on before they
 * store it, once, with a 5 s timeout; waiting here turns "not ready yet" into a success and
 * "never ready" into an error naming the URL and the last answer).
 */
export async function waitForProbe(
  url: string,
  accepts: ProbeAccepts,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(Math.max(1, Math.min(5000, deadline - Date.now()))),
      });
      await response.arrayBuffer();
      const ok =
        accepts === "2xx" ? response.status >= 200 && response.status < 300 : response.status < 500;
      if (ok) {
        return;
      }
      last = `answered ${response.status}`;
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string } };
      last =
        err.name === "TimeoutError" ? "timed out" : (err.cause?.code ?? err.message ?? String(e));
    }
    if (Date.now() + 1000 >= deadline) {
      throw new Error(
        `probe GET ${url} did not succeed within ${Math.round(timeoutMs / 1000)} s (${attempts} attempts; last: ${last})`,
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
