/**
 * Container images of the cluster's workloads, configured in one place (`aios-infra:images`).
 * Every reference is validated at preview; outside dev it must be pinned — a version tag other
 * than `latest`, or a digest — because upstream's `:latest` images change under a running cluster.
 */
import { z } from "zod";
import type { ConfigProblem } from "./config-errors";
import { CONFIG_NAMESPACE } from "./config-namespace";

/** Images of the AIOS cluster services and the datastores they use. */
export const CLUSTER_IMAGE_KEYS = [
  "mongo",
  "redis",
  "metricsWriter",
  "metricsCollector",
  "controllerInfra",
  "blockTransactions",
  "parameterUpdater",
  "clusterMonitor",
  "healthChecker",
  "membershipServer",
  "grpcProxy",
] as const;

/** Images of the add-ons (aios-spec §3); required only when their add-on is switched on. */
export const ADDON_IMAGE_KEYS = [
  "containerRegistry",
  "minio",
  "minioClient",
  "assetsRegistry",
  "timescaledb",
  "inferenceServer",
  "policyExecutor",
  "splitRunner",
] as const;

/**
 * Images of third-party blocks' lifecycle Jobs: the SDK endpoint sidecar (a Node.js runtime that
 * runs the script the stack mounts; docs/blocks.md). Required when a block speaks the SDK.
 */
export const BLOCK_IMAGE_KEYS = ["sdkEndpoint"] as const;

/** Every image key. */
export const IMAGE_KEYS = [
  ...CLUSTER_IMAGE_KEYS,
  ...ADDON_IMAGE_KEYS,
  ...BLOCK_IMAGE_KEYS,
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];
export type ClusterImageKey = (typeof CLUSTER_IMAGE_KEYS)[number];
export type AddonImageKey = (typeof ADDON_IMAGE_KEYS)[number];
export type BlockImageKey = (typeof BLOCK_IMAGE_KEYS)[number];

/** Public images with pinned defaults, in every environment. */
export const DEFAULT_IMAGES: Readonly<Partial<Record<ImageKey, string>>> = {
  mongo: "mongo:7.0.14",
  redis: "redis:7.4.1",
  containerRegistry: "registry:2.8.3",
  minio: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
  minioClient: "quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z",
  timescaledb: "timescale/timescaledb:2.17.2-pg15",
  // The official Node.js image (Alpine): `node` and the `node` user (uid 1000), nothing else needed.
  sdkEndpoint: "node:22.12.0-alpine3.21",
};

/** Upstream's registry of AIOS images (aios-spec §1.5.4): insecure HTTP, `:latest` only. */
export const UPSTREAM_REGISTRY = "34.58.1.86:31280";

/**
 * AIOS's own images as upstream publishes them (`:latest` from its registry). Defaults in dev
 * only; staging and production must name pinned images from their own registry.
 */
export const UPSTREAM_DEV_IMAGES: Readonly<Partial<Record<ImageKey, string>>> = {
  metricsWriter: `${UPSTREAM_REGISTRY}/cluster/metrics:latest`,
  metricsCollector: `${UPSTREAM_REGISTRY}/cluster/daemon:latest`,
  controllerInfra: `${UPSTREAM_REGISTRY}/cluster/infra:latest`,
  blockTransactions: `${UPSTREAM_REGISTRY}/cluster/block-tx:latest`,
  parameterUpdater: `${UPSTREAM_REGISTRY}/cluster/parameter-updater:latest`,
  clusterMonitor: `${UPSTREAM_REGISTRY}/cluster/monitor:latest`,
  healthChecker: `${UPSTREAM_REGISTRY}/cluster/stability-checker:latest`,
  membershipServer: `${UPSTREAM_REGISTRY}/cluster/membership:latest`,
  grpcProxy: `${UPSTREAM_REGISTRY}/cluster/rpc:latest`,
  // The add-ons' images as upstream's install scripts name them (Docker Hub, mutable `v1` tags).
  assetsRegistry: "aiosv1/assets-registry:v1",
  inferenceServer: "aiosv1/inference-server:v1",
  policyExecutor: "aiosv1/policies-executor_api:v1",
  splitRunner: "aiosv1/split-executor:v1",
};

const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REFERENCE = new RegExp(
  `^(?:(?<registry>[a-zA-Z0-9.-]+(?::[0-9]+)?)/)?(?<repository>${COMPONENT}(?:/${COMPONENT})*)` +
    `(?::(?<tag>[\\w][\\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

/** The parts of an image reference, or undefined when it is not one. */
export interface ImageRef {
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Parses `[registry[:port]/]repository[:tag][@sha256:…]`. */
export function parseImageRef(ref: string): ImageRef | undefined {
  const m = REFERENCE.exec(ref);
  if (m?.groups === undefined) {
    return undefined;
  }
  const { registry, repository = "", tag, digest } = m.groups;
  // As in Docker, a first part is a registry only when it looks like a host (has '.' or ':', or
  // is localhost); otherwise it is the first path component, which must be lowercase.
  if (registry !== undefined && !/[.:]/.test(registry) && registry !== "localhost") {
    return new RegExp(`^${COMPONENT}$`).test(registry)
      ? { repository: `${registry}/${repository}`, tag, digest }
      : undefined;
  }
  return { registry, repository, tag, digest };
}

/** Pinned: a digest, or a tag other than `latest`. */
export function isPinned(ref: ImageRef): boolean {
  return ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== "latest");
}

/** `aios-infra:images`: one optional reference per known image. */
export const imagesSchema = z
  .strictObject(
    Object.fromEntries(
      IMAGE_KEYS.map((key) => [
        key,
        z
          .string()
          .refine((v) => parseImageRef(v) !== undefined, {
            error:
              "must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>]",
          })
          .optional(),
      ]),
    ) as Record<ImageKey, z.ZodOptional<z.ZodString>>,
  )
  .default({});

/** Every image the stack needs, by key: the cluster's always, the add-ons' when switched on. */
export type ResolvedImages = Readonly<Record<ClusterImageKey, string>> &
  Readonly<Partial<Record<AddonImageKey | BlockImageKey, string>>>;

/**
 * Applies the defaults (upstream's AIOS images only in dev) and reports every `required` image
 * that is missing and, outside dev, every image that is not pinned.
 */
export function resolveImages(
  configured: Readonly<Partial<Record<ImageKey, string>>>,
  environment: string,
  required: readonly ImageKey[] = CLUSTER_IMAGE_KEYS,
): { images: ResolvedImages; problems: ConfigProblem[] } {
  const dev = environment === "dev";
  const defaults: Partial<Record<ImageKey, string>> = {
    ...DEFAULT_IMAGES,
    ...(dev ? UPSTREAM_DEV_IMAGES : {}),
  };
  // The images the stack runs: the required ones, defaults applied, and any configured.
  const images: Partial<Record<ImageKey, string>> = {
    ...Object.fromEntries(
      required.flatMap((k) => (defaults[k] === undefined ? [] : [[k, defaults[k]]])),
    ),
    ...configured,
  };
  const problems: ConfigProblem[] = [];
  for (const key of required) {
    if (images[key] === undefined) {
      problems.push({
        path: `${CONFIG_NAMESPACE}:images.${key}`,
        message: `is required in ${environment}: a pinned image from your registry (upstream's :latest images are defaults in dev only)`,
        received: "nothing",
      });
    }
  }
  if (!dev) {
    for (const key of required) {
      const value = images[key];
      const ref = value === undefined ? undefined : parseImageRef(value);
      if (value !== undefined && ref !== undefined && !isPinned(ref)) {
        problems.push({
          path: `${CONFIG_NAMESPACE}:images.${key}`,
          message: `must be pinned to a version tag or a digest in ${environment} ('latest' and untagged images change under a running cluster)`,
          received: JSON.stringify(value),
        });
      }
    }
  }
  return { images: images as ResolvedImages, problems };
}
