/**
 * The AIOS network's endpoints a worker cluster talks to (`aios-infra:network`): upstream's
 * `GLOBAL_SERVICES_MAP`, with its keys spelled exactly as upstream does so an operator can paste
 * the map from the gateway's configuration (aios-spec §1.5.4). Upstream raises a KeyError at
 * install time for a missing key; here every missing or malformed value is named at preview.
 */
import { z } from "zod";
import { parseImageRef } from "./images";

function urlWithScheme(schemes: readonly string[], example: string) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return schemes.includes(url.protocol.replace(/:$/, "")) && url.hostname !== "";
      } catch {
        return false;
      }
    },
    { error: `must be a ${schemes.join(" or ")} URL with a host, e.g. ${example}` },
  );
}

const redisUrl = urlWithScheme(["redis", "rediss"], "redis://10.0.0.5:30200/0");
const httpUrl = urlWithScheme(["http", "https"], "http://10.0.0.5:30101");

/** `aios-infra:network`: the GLOBAL_SERVICES_MAP of the AIOS network. */
export const networkEndpointsSchema = z.strictObject({
  /** Redis that receives block metrics (metrics-writer `BLOCK_METRICS_GLOBAL_DB_REDIS_HOST`). */
  global_block_metrics_redis_host: redisUrl,
  /** Redis that receives cluster metrics. */
  global_cluster_metrics_redis_host: redisUrl,
  /** Redis that receives vDAG metrics. */
  global_vdag_metrics_redis_host: redisUrl,
  /** Policy DB (also the remote policy rule and executor host URL). */
  policy_db_url: httpUrl,
  /** Blocks DB API. */
  blocks_db_url: httpUrl,
  /** Cluster DB API (the cluster registry). */
  cluster_db_url: httpUrl,
  /** vDAG DB API. */
  vdag_db_url: httpUrl,
  /** vDAG controller DB API. */
  vdag_controller_db_url: httpUrl,
  /** Image of vDAG controllers the cluster controller starts. @default - the controller's own */
  vdag_controller_image_name: z
    .string()
    .refine((v) => parseImageRef(v) !== undefined, {
      error: "must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>]",
    })
    .optional(),
  /** The adhoc inference server vDAG controllers use. @default - none */
  vdag_adhoc_inference_server_url: z.string().min(1).optional(),
  /**
   * The network's cluster-controller gateway (not part of upstream's map): registration and
   * delegated infrastructure go through it. @default - none
   */
  cluster_controller_gateway_url: httpUrl.optional(),
  /** The network's Parser (not part of upstream's map): where the cluster registers. */
  parser_url: httpUrl.optional(),
  /** The network's tasks DB (`GLOBAL_TASKS_DB_URL`), for delegated infrastructure tasks. */
  tasks_db_url: httpUrl.optional(),
  // The add-ons' registries and dependencies (aios-spec §3; upstream's installers take them as
  // script arguments or hard-code management-cluster DNS names that a worker cannot resolve).
  /** Container-registry registry (`containers-registry-svc`, NodePort 30109). */
  containers_registry_url: httpUrl.optional(),
  /** Assets registry listing (`assets-db-registry-svc`, NodePort 30104). */
  assets_registry_url: httpUrl.optional(),
  /** Inference-server registry (upstream's `adhoc-serviers-registry-svc`, NodePort 30105). */
  inference_servers_registry_url: httpUrl.optional(),
  /** Split-runner registry (`splits-runners-registry-svc`, NodePort 30111). */
  split_runners_registry_url: httpUrl.optional(),
  /** Search server (`SEARCH_SERVER_API_URL` of the inference server, NodePort 30150). */
  search_server_url: httpUrl.optional(),
  /** Model layers registry (`MODEL_LAYERS_REGISTRY_URL` of the split runner). */
  layers_registry_url: httpUrl.optional(),
});

/** The keys that are upstream's own GLOBAL_SERVICES_MAP (the others are aios-infra's). */
export const GLOBAL_SERVICES_MAP_KEYS = [
  "global_block_metrics_redis_host",
  "global_cluster_metrics_redis_host",
  "global_vdag_metrics_redis_host",
  "policy_db_url",
  "blocks_db_url",
  "cluster_db_url",
  "vdag_db_url",
  "vdag_controller_db_url",
  "vdag_controller_image_name",
  "vdag_adhoc_inference_server_url",
] as const;

/** The parsed network endpoints. */
export type NetworkEndpoints = z.infer<typeof networkEndpointsSchema>;
