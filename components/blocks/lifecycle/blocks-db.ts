/**
 * The network's blocks DB, as the init-container lifecycle uses it (docs/upstream-aios.md, "Blocks
 * DB"): upstream's Express service answers `GET /blocks/<id>` with the raw document or 404,
 * `POST /blocks` with 201, `PUT /blocks/<id>` applies a Mongo update document, `DELETE` 200 or 404.
 * A block this stack creates carries `blockMetadata.managedBy`, so a re-run whose POST answer was
 * lost still knows the record is its own, and destroy never removes a block it did not create.
 * Serialized into the dynamic provider: `fetch` only, no captured state.
 */

/** The marker on blocks this stack created: `blockMetadata.managedBy`. */
export const MANAGED_BY = "aios-infra";

/** Whether this stack created the block's record (and so removes it on destroy). */
export type BlocksDbRecord = "created" | "existing" | "none";

function blockUrl(base: string, blockId: string): string {
  return `${base.replace(/\/$/, "")}/blocks/${encodeURIComponent(blockId)}`;
}

async function call(method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
}

async function failed(method: string, url: string, response: Response): Promise<Error> {
  return new Error(
    `${method} ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
  );
}

/**
 * Makes sure the blocks DB has the block: reads it, and creates it from `document` when absent.
 * Returns whether the record is this stack's (`created`) or someone else's (`existing`).
 */
export async function ensureBlockRecord(
  base: string,
  blockId: string,
  document: Readonly<Record<string, unknown>>,
): Promise<BlocksDbRecord> {
  const url = blockUrl(base, blockId);
  const read = await call("GET", url);
  if (read.status === 200) {
    const doc = (await read.json()) as { blockMetadata?: { managedBy?: unknown } } | null;
    return doc?.blockMetadata?.managedBy === MANAGED_BY ? "created" : "existing";
  }
  if (read.status !== 404) {
    throw await failed("GET", url, read);
  }
  const target = `${base.replace(/\/$/, "")}/blocks`;
  const created = await call("POST", target, document);
  if (created.status !== 201 && created.status !== 200) {
    throw await failed("POST", target, created);
  }
  return "created";
}

/** Writes finish's data to `blockInitData.initContainer`, as upstream's controller does. */
export async function writeInitContainerData(
  base: string,
  blockId: string,
  statusData: unknown,
): Promise<void> {
  const url = blockUrl(base, blockId);
  const response = await call("PUT", url, {
    $set: { "blockInitData.initContainer": statusData ?? {} },
  });
  if (!response.ok) {
    throw await failed("PUT", url, response);
  }
}

/** Removes the block's record; an absent one is fine. */
export async function deleteBlockRecord(base: string, blockId: string): Promise<void> {
  const url = blockUrl(base, blockId);
  const response = await call("DELETE", url);
  if (!response.ok && response.status !== 404) {
    throw await failed("DELETE", url, response);
  }
}
