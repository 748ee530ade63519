/**
 * A test client that behaves on the wire like the AIOS init-container SDK (docs/upstream-aios.md,
 * "Init-container SDK"), written from those facts: the constructor reads `GET
 * $BLOCK_SERVICE_URL/blocks/<BLOCK_ID>` (anything but 200 + JSON gives up) and `GET
 * $CLUSTER_SERVICE_URL/clusters/<CLUSTER_ID>` (a 4xx/5xx or non-JSON gives up); then begin, main
 * and finish each post `{status: "success", stage, message, mode, status_data, block_id, action,
 * cluster_id}` to `$CONTROLLER_URL/executeAction`; a stage returning false, a non-2xx answer, a
 * non-JSON answer or `{"success": false}` raises, which posts `{status: "failed", status_data,
 * block_id, action, cluster_id}`; and the process always exits 0 (`os._exit(0)`).
 */

/** What a stage returns: `[ok, data]`, as the container class's methods do. */
export type StageResult = readonly [boolean, unknown];

/** The container class's behaviour. @default - every stage `[true, {}]` */
export interface SdkBehaviour {
  readonly begin?: StageResult;
  readonly main?: StageResult;
  readonly finish?: StageResult;
}

/** What the run did, for assertions. */
export interface SdkClientRun {
  /** Always 0, as the SDK's `os._exit(0)`. */
  readonly exitCode: 0;
  /** What it logged: the error that ended it, if any. */
  readonly error?: string;
}

/** Python's `str()` of a stage's data, as far as the tests need it. */
function str(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** requests' HTTPError text. */
function httpError(status: number, url: string): string {
  const kind = status < 500 ? "Client Error" : "Server Error";
  return `${status} ${kind}: ${status === 400 ? "Bad Request" : "Error"} for url: ${url}`;
}

/** Runs the SDK's `execute_init_container` against `env` (the init container's environment). */
export async function runSdkClient(
  env: Readonly<Record<string, string | undefined>>,
  behaviour: SdkBehaviour = {},
): Promise<SdkClientRun> {
  const controllerUrl = env.CONTROLLER_URL ?? "localhost:5000";
  const blockId = env.BLOCK_ID ?? "default-block";
  const mode = env.OPERATING_MODE ?? "create";
  const clusterId = env.CLUSTER_ID ?? null;
  const action = mode === "create" ? "init_create_status_update" : "init_remove_status_update";

  // ClusterControllerExecutor.execute_action + ClusterController.send_status_update.
  async function sendStatusUpdate(payload: Record<string, unknown>): Promise<void> {
    const url = `${controllerUrl}/executeAction`;
    const body = { ...payload, block_id: blockId, action, cluster_id: clusterId };
    let resp: { success?: unknown; data?: unknown };
    try {
      const r = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (r.status >= 400) {
        resp = { success: false, data: `HTTP error occurred: ${httpError(r.status, url)}` };
      } else {
        resp = (await r.json()) as typeof resp;
      }
    } catch (e) {
      resp = { success: false, data: `Other error occurred: ${(e as Error).message}` };
    }
    if (typeof resp === "object" && resp !== null && "success" in resp && !resp.success) {
      throw new Error(str(resp.data));
    }
  }

  // InitContainerExecutor.__init__: BlocksDB().get_block_by_id, ClusterClient().read_cluster.
  try {
    const block = await fetch(`${env.BLOCK_SERVICE_URL}/blocks/${blockId}`);
    if (block.status !== 200) {
      throw new Error("API returned non-200 status code");
    }
    await block.json();
    const cluster = await fetch(`${env.CLUSTER_SERVICE_URL}/clusters/${String(clusterId)}`);
    if (cluster.status >= 400) {
      throw new Error(`HTTP error occurred: ${cluster.status}`);
    }
    await cluster.json();
  } catch (e) {
    return { exitCode: 0, error: (e as Error).message };
  }

  // InitContainerExecutor.execute.
  try {
    for (const stage of ["begin", "main", "finish"] as const) {
      const [ok, data] = behaviour[stage] ?? [true, {}];
      if (!ok) {
        throw new Error(str(data));
      }
      await sendStatusUpdate({
        status: "success",
        stage,
        message: data,
        mode,
        status_data: data,
      });
    }
    return { exitCode: 0 };
  } catch (e) {
    const error = (e as Error).message;
    try {
      await sendStatusUpdate({ status: "failed", status_data: error });
    } catch {
      // raised again: os._exit(0) all the same
    }
    return { exitCode: 0, error };
  }
}
