/**
 * JSON over HTTP to the AIOS management APIs, with the failure rules the network needs: transient
 * faults (connection refused or reset, timeouts, 5xx) are retried with capped exponential backoff
 * inside a deadline; anything else is reported at once with the endpoint, the status and the
 * server's message. Request bodies (which may hold a kubeconfig) never appear in errors.
 *
 * Serialized by value into dynamic providers: pure functions and constants only.
 */

/** A failed call: the endpoint, the HTTP status (none when unreachable) and what the server said. */
export class AiosApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly status: number | undefined,
    readonly serverMessage: string,
    readonly attempts: number,
  ) {
    super(
      `${endpoint} ${status === undefined ? "could not be reached" : `answered ${status}`}${serverMessage === "" ? "" : `: ${serverMessage}`}${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`,
    );
    this.name = "AiosApiError";
  }
}

/** Arguments of {@link requestJson}. */
export interface RequestArgs {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly body?: unknown;
  /** Give up retrying after this many ms. @default 30000 */
  readonly deadlineMs?: number;
  /** Each attempt's timeout in ms. @default 10000 */
  readonly attemptTimeoutMs?: number;
  /**
   * Which 5xx statuses are transient (retried). Services that answer 500 for permanent errors
   * (the add-on registries: failed probe, missing field, duplicate id) retry only 502-504.
   * @default - every 5xx
   */
  readonly transientStatuses?: readonly number[];
}

/** A JSON response (non-5xx). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The server's message from a body: `message`, `error`, `data` or the text itself. */
export function serverMessage(body: unknown): string {
  if (typeof body === "string") {
    return body.slice(0, 300);
  }
  if (typeof body === "object" && body !== null) {
    const b = body as Record<string, unknown>;
    for (const key of ["message", "error", "data", "result"]) {
      const v = b[key];
      if (typeof v === "string") {
        return v.slice(0, 300);
      }
      if (Array.isArray(v) && v[0] === false && typeof v[1] === "string") {
        return v[1].slice(0, 300);
      }
    }
    return JSON.stringify(body).slice(0, 300);
  }
  return "";
}

/** Sends one JSON request, retrying transient faults until the deadline. */
export async function requestJson(args: RequestArgs): Promise<JsonResponse> {
  const endpoint = `${args.method} ${args.url}`;
  const deadline = Date.now() + (args.deadlineMs ?? 30_000);
  let attempt = 0;
  for (;;) {
    attempt += 1;
    let transient: { status?: number; message: string };
    try {
      const response = await fetch(args.url, {
        method: args.method,
        headers: { accept: "application/json", "content-type": "application/json" },
        ...(args.body === undefined ? {} : { body: JSON.stringify(args.body) }),
        signal: AbortSignal.timeout(
          Math.max(1, Math.min(args.attemptTimeoutMs ?? 10_000, deadline - Date.now())),
        ),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        // Not JSON: keep the text for the message.
      }
      const transientStatus =
        response.status >= 500 &&
        (args.transientStatuses === undefined || args.transientStatuses.includes(response.status));
      if (!transientStatus) {
        return { status: response.status, body };
      }
      transient = { status: response.status, message: serverMessage(body) };
    } catch (e) {
      const err = e as { name?: string; message?: string; cause?: { code?: string } };
      transient = {
        message:
          err.name === "TimeoutError" ? "timed out" : (err.cause?.code ?? err.message ?? String(e)),
      };
    }
    const backoff = Math.min(2000, 100 * 2 ** (attempt - 1));
    if (Date.now() + backoff >= deadline) {
      throw new AiosApiError(endpoint, transient.status, transient.message, attempt);
    }
    await new Promise((r) => setTimeout(r, backoff));
  }
}
