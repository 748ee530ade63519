/**
 * Each add-on's registration against the AIOS double's registries, with the entries the specs
 * build: the probe the registry makes (and ours before it), the stored entry, read, delete, and the
 * failures — an add-on that does not answer, a registry that refuses, transient faults retried.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { addonRegistrationProvider } from "../../components/aios-api";
import { registerEntry } from "../../components/aios-api";
import type { AddonSpecContext } from "../../components/addons";
import { addonEntryId } from "../../components/addons";
import {
  assetsRegistrySchema,
  containerRegistrySchema,
  inferenceServerSchema,
  modelSplitterSchema,
  policyExecutorSchema,
} from "../../components/addons";
import { assetsRegistryEntry, assetsRegistryProbe } from "../../components/addons";
import { containerRegistryEntry, containerRegistryProbe } from "../../components/addons";
import { inferenceServerEntry } from "../../components/addons";
import { splitRunnerEntry } from "../../components/addons";
import { policyExecutorEntry } from "../../components/addons";
import { resolveImages } from "../../components/config";
import { AiosDouble } from "../../scripts/aios-network/aios-double";
import { NETWORK } from "../support/fixtures";

/** Stands in for an add-on behind its NodePort: answers every path with `status`. */
async function standIn(status: number): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(status).end("{}"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

let double: AiosDouble;
beforeEach(async () => {
  double = await AiosDouble.start();
});
afterEach(() => double.stop());

/** A context whose every add-on NodePort leads to `port` on loopback. */
function context(port: number): AddonSpecContext {
  const claims = [
    "containerRegistry",
    "assetsRegistry",
    "inferenceGrpc",
    "inferenceRest",
    "policyExecutor",
    "modelSplitter",
  ];
  return {
    clusterId: "c1",
    publicHostname: "127.0.0.1",
    network: NETWORK,
    images: resolveImages({}, "dev").images,
    nodePorts: Object.fromEntries(claims.map((c) => [c, port])),
  };
}

const inputs = (
  collection: string,
  entryId: string,
  entry: Record<string, unknown>,
  probe?: { url: string; accepts: "2xx" | "below-500"; timeoutSeconds: number },
) => ({
  registry: { url: double.url, collection },
  entryId,
  entry,
  ...(probe === undefined ? {} : { probe }),
  providerVersion: "1",
});

test("the container registry is probed at /v2/ (401 means up) and registered, then removed", async () => {
  const registry = await standIn(401);
  try {
    const ctx = context(registry.port);
    const s = containerRegistrySchema.parse({});
    const id = addonEntryId("c1", "containerRegistry");
    const args = inputs(
      "container_registry",
      id,
      containerRegistryEntry(ctx, s, id),
      containerRegistryProbe(ctx, s),
    );
    expect((await addonRegistrationProvider.create(args)).id).toBe(id);
    const url = `http://127.0.0.1:${registry.port}`;
    expect(double.entries.get("container_registry")?.get(id)).toEqual({
      container_registry_id: id,
      container_registry_name: "c1-container-registry",
      container_registry_metadata: { cluster_id: "c1" },
      container_registry_tags: [],
      container_registry_public_url: url,
      container_registry_image_prefix: `127.0.0.1:${registry.port}`,
      container_registry_config: { auth: "htpasswd", username: "aios" },
      container_registry_storage_info: {
        storage_type: "fs",
        storage_size: 10240,
        memory_size: 512,
        registry_type: "aios",
      },
    });
    expect(double.probes).toEqual([{ url: `${url}/v2/`, status: 401 }]);
    expect(await addonRegistrationProvider.read!(id, args)).toEqual({ id, props: args });

    await addonRegistrationProvider.delete!(id, args);
    expect(double.entries.get("container_registry")?.size).toBe(0);
    // Gone out of band: refresh drops it, and a second delete is not an error.
    expect(await addonRegistrationProvider.read!(id, args)).toEqual({ id: "", props: {} });
    await expect(addonRegistrationProvider.delete!(id, args)).resolves.toBeUndefined();
  } finally {
    await registry.close();
  }
});

test("an add-on that never answers is not registered, and the error names its URL", async () => {
  const gone = await standIn(200);
  await gone.close();
  const ctx = context(gone.port);
  const s = containerRegistrySchema.parse({});
  const id = addonEntryId("c1", "containerRegistry");
  const probe = { ...containerRegistryProbe(ctx, s), timeoutSeconds: 2 };
  await expect(
    addonRegistrationProvider.create(
      inputs("container_registry", id, containerRegistryEntry(ctx, s, id), probe),
    ),
  ).rejects.toThrow(
    new RegExp(
      `probe GET http://127.0.0.1:${gone.port}/v2/ did not succeed within 2 s .*ECONNREFUSED`,
    ),
  );
  expect(double.entries.get("container_registry")?.size).toBe(0);
});

test("the assets registry needs a 2xx from /health: the registry's own refusal is reported", async () => {
  const unhealthy = await standIn(503);
  try {
    const ctx = context(unhealthy.port);
    const s = assetsRegistrySchema.parse({});
    const id = addonEntryId("c1", "assetsRegistry");
    // Our probe waits for a 2xx and gives up naming the last answer…
    await expect(
      addonRegistrationProvider.create(
        inputs("asset_registry", id, assetsRegistryEntry(ctx, s, id), {
          ...assetsRegistryProbe(ctx, s),
          timeoutSeconds: 2,
        }),
      ),
    ).rejects.toThrow(/\/health did not succeed within 2 s .*last: answered 503/);
    // …and the registry, asked directly, refuses with its own message.
    await expect(
      registerEntry(
        { url: double.url, collection: "asset_registry" },
        assetsRegistryEntry(ctx, s, id),
      ),
    ).rejects.toThrow(
      `POST ${double.url}/asset_registry answered 400: health check of http://127.0.0.1:${unhealthy.port}/health failed: answered 503`,
    );
    expect(double.entries.get("asset_registry")?.size).toBe(0);
  } finally {
    await unhealthy.close();
  }
});

test("the assets registry, healthy, is registered with its public URL and storage", async () => {
  const healthy = await standIn(200);
  try {
    const ctx = context(healthy.port);
    const s = assetsRegistrySchema.parse({ tags: ["models"], metadata: { framework: "PyTorch" } });
    const id = addonEntryId("c1", "assetsRegistry");
    const args = inputs(
      "asset_registry",
      id,
      assetsRegistryEntry(ctx, s, id),
      assetsRegistryProbe(ctx, s),
    );
    await addonRegistrationProvider.create(args);
    expect(double.entries.get("asset_registry")?.get(id)).toEqual({
      asset_registry_id: id,
      asset_registry_name: "c1-assets-registry",
      asset_registry_metadata: { framework: "PyTorch", cluster_id: "c1", storage: "minio" },
      asset_registry_tags: ["models"],
      asset_registry_public_url: `http://127.0.0.1:${healthy.port}`,
    });
  } finally {
    await healthy.close();
  }
});

test("the inference server, executor and split runner are registered with upstream's fields", async () => {
  const up = await standIn(200);
  try {
    const ctx = context(up.port);
    const inferenceId = addonEntryId("c1", "inferenceServer");
    await addonRegistrationProvider.create(
      inputs(
        "inference_server",
        inferenceId,
        inferenceServerEntry(ctx, inferenceServerSchema.parse({}), inferenceId),
      ),
    );
    expect(double.entries.get("inference_server")?.get(inferenceId)).toMatchObject({
      inference_server_public_url: `http://127.0.0.1:${up.port}`,
      inference_server_metadata: { cluster_id: "c1", rest_url: `http://127.0.0.1:${up.port}` },
    });

    const executor = policyExecutorEntry(ctx, policyExecutorSchema.parse({}));
    await addonRegistrationProvider.create(inputs("executor", "c1", executor));
    expect(double.entries.get("executor")?.get("c1")).toEqual({
      executor_id: "c1",
      executor_metadata: { cluster_id: "c1" },
      executor_hardware_info: {},
      executor_status: "healthy",
      cluster_public_ip: "127.0.0.1",
      executor_host_uri: "http://127.0.0.1:30900",
    });

    // A network whose split-runner registry has been fixed (upstream's fails every POST).
    double.splitRunnerRegistryFixed = true;
    const splitId = addonEntryId("c1", "modelSplitter");
    const split = splitRunnerEntry(ctx, modelSplitterSchema.parse({}), splitId);
    expect(split).not.toHaveProperty("cluster_k8s_config");
    await addonRegistrationProvider.create(inputs("split-runner", splitId, split));
    expect(double.entries.get("split-runner")?.get(splitId)).toMatchObject({
      split_runner_public_host: "127.0.0.1",
      split_runner_public_url: `http://127.0.0.1:${up.port}`,
    });
  } finally {
    await up.close();
  }
});

test("upstream's split-runner registry as shipped fails at once, with its own message", async () => {
  const up = await standIn(200);
  try {
    const id = addonEntryId("c1", "modelSplitter");
    const entry = splitRunnerEntry(context(up.port), modelSplitterSchema.parse({}), id);
    await expect(
      addonRegistrationProvider.create(inputs("split-runner", id, entry)),
    ).rejects.toThrow(
      `POST ${double.url}/split-runner answered 500: name 'deploy_split_runner_and_get_url' is not defined`,
    );
    // A 500 from a registry is permanent: not retried.
    expect(double.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  } finally {
    await up.close();
  }
});

test("upstream's documented executor body (no cluster_public_ip) is what the registry refuses", async () => {
  const { cluster_public_ip: _ip, ...documented } = policyExecutorEntry(
    context(1),
    policyExecutorSchema.parse({}),
  );
  await expect(
    registerEntry({ url: double.url, collection: "executor" }, documented),
  ).rejects.toThrow(/POST .*\/executor answered 500: 'cluster_public_ip'/);
});

test("transient registry faults are retried; an orphaned entry of the same id is replaced", async () => {
  const up = await standIn(200);
  try {
    const ctx = context(up.port);
    const id = addonEntryId("c1", "inferenceServer");
    const entry = inferenceServerEntry(ctx, inferenceServerSchema.parse({}), id);
    double.entries.get("inference_server")?.set(id, { inference_server_id: id, stale: true });
    double.inject("POST /inference_server", { kind: "status", status: 503 });
    await addonRegistrationProvider.create(inputs("inference_server", id, entry));
    expect(double.entries.get("inference_server")?.get(id)).toEqual(entry);
    expect(
      double.requests.filter((r) => r.path.startsWith("/inference_server")).map((r) => r.method),
    ).toEqual(["GET", "DELETE", "POST", "POST"]);
  } finally {
    await up.close();
  }
});

test("a change of the entry replaces it (delete first: the id stays); probe settings do not", async () => {
  const base = inputs("inference_server", "x", { inference_server_id: "x", a: 1 });
  const diff = addonRegistrationProvider.diff!;
  await expect(
    diff("x", base, { ...base, entry: { inference_server_id: "x", a: 2 } }),
  ).resolves.toEqual({
    changes: true,
    replaces: ["entry"],
    deleteBeforeReplace: true,
  });
  await expect(diff("x", base, base)).resolves.toEqual({
    changes: false,
    replaces: [],
    deleteBeforeReplace: true,
  });
});
