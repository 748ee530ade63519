/**
 * `aios-infra:addons`: the optional add-on services of a worker cluster (aios-spec §3). Each key
 * switches one add-on on (an empty object takes every default); a missing key leaves it off.
 *
 * ```yaml
 * aios-infra:addons:
 *   containerRegistry: { storage: { sizeMB: 20480 } }
 *   assetsRegistry: { objectStore: { type: minio }, db: { replicas: 3 } }
 *   inferenceServer: {}
 *   policyExecutor: { maxProcesses: 8 }
 *   modelSplitter: {}
 * ```
 */
import { z } from "zod";

const name = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: "must be a DNS label: lowercase letters, digits and '-', at most 63 characters",
});

/**
 * Register this add-on when the stack registers with the network (`aios-infra:registration`).
 * Off for a registry the network cannot serve (upstream's split-runner registry fails every POST).
 * @default true
 */
const register = z.boolean().default(true);

/** What the registry entry says about the add-on (all optional). */
const entryFields = {
  register,
  /** The entry's name. @default - `<clusterId>-<add-on>` */
  name: z.string().min(1).max(128).optional(),
  /** The entry's tags. @default [] */
  tags: z.array(z.string().min(1)).default([]),
  /** The entry's free-form metadata. @default {} */
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** Seconds to wait for the add-on to answer before it is registered. @default 180 */
  probeTimeoutSeconds: z.int().min(5).max(3600).default(180),
};

/** A persistent volume: size, and the storage class (the cluster's default when omitted). */
const volume = (sizeMB: number) =>
  z
    .strictObject({
      /** Volume size in MB. */
      sizeMB: z.int().min(1).default(sizeMB),
      /** Storage class. @default - the cluster's default class */
      storageClassName: z.string().min(1).optional(),
    })
    .default({ sizeMB });

/** The container registry (`registry:2`). */
export const containerRegistrySchema = z.strictObject({
  ...entryFields,
  /**
   * Where images are stored: a PersistentVolumeClaim (default), or a directory on the node when
   * `hostPath` is set (data stays on that node; the pod must be pinned with `nodeName`).
   */
  storage: z
    .strictObject({
      sizeMB: z.int().min(1).default(10240),
      storageClassName: z.string().min(1).optional(),
      hostPath: z
        .string()
        .regex(/^\/[^\0]*$/, { error: "must be an absolute path" })
        .optional(),
      nodeName: z.string().min(1).optional(),
    })
    .refine((s) => s.hostPath === undefined || s.storageClassName === undefined, {
      error: "set either hostPath or storageClassName, not both",
    })
    .refine((s) => (s.hostPath === undefined) === (s.nodeName === undefined), {
      error: "hostPath needs nodeName (the node that keeps the data), and nodeName needs hostPath",
    })
    .default({ sizeMB: 10240 }),
  /** The htpasswd user; its password is generated and kept as a Pulumi secret. @default "aios" */
  username: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: "must be 1-32 of a-z, 0-9, '_', '-'" })
    .default("aios"),
});

const minioStore = z.strictObject({
  type: z.literal("minio"),
  /** The MinIO volume. */
  volume: volume(10240),
  /** The bucket the assets are stored in. @default "aios-assets" */
  bucket: name.default("aios-assets"),
});

const cephStore = z.strictObject({
  type: z.literal("ceph"),
  /** Namespace of the Rook operator and its CephCluster. @default "rook-ceph" */
  rookNamespace: name.default("rook-ceph"),
  /** The CephObjectStore to create. @default "aios-assets" */
  storeName: name.default("aios-assets"),
  /** Replicas of the object store's pools. @default 3 */
  poolReplicas: z.int().min(1).max(7).default(3),
  /** The bucket the assets are stored in. @default "aios-assets" */
  bucket: name.default("aios-assets"),
});

/** The assets registry: object store, assets DB, registry server. */
export const assetsRegistrySchema = z.strictObject({
  ...entryFields,
  /** Object storage. @default { type: "minio" } */
  objectStore: z
    .discriminatedUnion("type", [minioStore, cephStore])
    .default({ type: "minio", volume: { sizeMB: 10240 }, bucket: "aios-assets" }),
  /** The assets DB (a Mongo replica set). */
  db: z
    .strictObject({
      /** Members of the replica set (odd, for elections). @default 3 */
      replicas: z
        .int()
        .min(1)
        .max(7)
        .refine((n) => n % 2 === 1, {
          error: "must be odd (1, 3, 5 or 7) so elections have a majority",
        })
        .default(3),
      /** Each member's volume. */
      volume: volume(1024),
    })
    .default({ replicas: 3, volume: { sizeMB: 1024 } }),
});

/** The adhoc inference server with its TimescaleDB and redis. */
export const inferenceServerSchema = z.strictObject({
  ...entryFields,
  /** The TimescaleDB. */
  db: z
    .strictObject({
      /** Database name. @default "inference" */
      database: name.default("inference"),
      /** Database user; its password is generated. @default "aios" */
      user: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "must be a PostgreSQL role name" })
        .default("aios"),
      volume: volume(2048),
    })
    .default({ database: "inference", user: "aios", volume: { sizeMB: 2048 } }),
});

/** The policy executor. */
export const policyExecutorSchema = z.strictObject({
  register,
  /** The executor id (`executor-<id>` objects, `/executor/<id>` route). @default - `<clusterId>` */
  executorId: name.optional(),
  /** Concurrent policy processes (`MAX_PROCESSES`). @default 4 */
  maxProcesses: z.int().min(1).max(256).default(4),
  /**
   * Put the executor's redis on a NodePort (upstream 30901). It then requires a generated password
   * (output `addons.policyExecutor.redisPassword`, a secret). @default false
   */
  exposeRedis: z.boolean().default(false),
  /** `executor_metadata` of the registration. @default {} */
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** `executor_hardware_info` of the registration. @default {} */
  hardwareInfo: z.record(z.string(), z.unknown()).default({}),
  /** `DEFAULT_POLICY_CONTAINER_IMAGE`. @default - the executor's own default */
  policyImage: z.string().min(1).optional(),
  /** `DEFAULT_POLICY_JOB_CONTAINER_IMAGE_NAME`. @default - the executor's own default */
  policyJobImage: z.string().min(1).optional(),
  /** Seconds to wait for the executor to answer before it is registered. @default 180 */
  probeTimeoutSeconds: z.int().min(5).max(3600).default(180),
});

/** The model split runner. */
export const modelSplitterSchema = z.strictObject(entryFields);

/** `aios-infra:addons`. @default {} (no add-ons) */
export const addonsSchema = z
  .strictObject({
    containerRegistry: containerRegistrySchema.optional(),
    assetsRegistry: assetsRegistrySchema.optional(),
    inferenceServer: inferenceServerSchema.optional(),
    policyExecutor: policyExecutorSchema.optional(),
    modelSplitter: modelSplitterSchema.optional(),
  })
  .default({});

export type AddonsSettings = z.infer<typeof addonsSchema>;
export type ContainerRegistrySettings = z.infer<typeof containerRegistrySchema>;
export type AssetsRegistrySettings = z.infer<typeof assetsRegistrySchema>;
export type InferenceServerSettings = z.infer<typeof inferenceServerSchema>;
export type PolicyExecutorSettings = z.infer<typeof policyExecutorSchema>;
export type ModelSplitterSettings = z.infer<typeof modelSplitterSchema>;
export type AddonKey = keyof AddonsSettings;
