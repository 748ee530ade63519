/**
 * The assets registry add-on (aios-spec §3.2), declared with upstream's defects fixed: object
 * storage with generated credentials (MinIO, never `minioadmin`) or a Rook/Ceph object store; the
 * assets DB as an authenticated Mongo replica set on persistent volumes (a StatefulSet with a
 * headless Service instead of hostPath PVs and an undocumented node label); the bucket created
 * before the server starts; the server wired to the store (the S3 settings upstream leaves empty);
 * its NodePort; its entry in the assets registry, which probes `/health` first.
 */
import type { AddonProbe } from "../aios-api/addon-registration";
import { buildJobSpec, type JobObject } from "../k8s/job-specs";
import { recommendedLabels } from "../k8s/labels";
import { allow, podsNamed } from "../k8s/network-policies";
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer, buildTaskContainer, type SecretKeyRef } from "../k8s/workload-specs";
import {
  ADDON_NAMESPACES,
  ADDON_PORTS,
  image,
  planned,
  publicUrl,
  serviceDns,
  type AddonSpecContext,
} from "./addon-endpoints";
import { entryName } from "./addon-entry";
import type { AssetsRegistrySettings } from "./addon-settings";

/** Object names of the assets registry. */
export const ASSETS = {
  minio: "minio",
  minioService: "minio-service",
  /** MinIO's root credentials (namespace `assets-storage`). */
  minioSecret: "minio-credentials",
  db: "assets-db",
  /** The replica set's name (upstream's). */
  replicaSet: "rs0",
  /** Root user, password, key file and connection URL (namespace `assets-db`). */
  dbSecret: "assets-db-credentials",
  dbInit: "assets-db-init",
  /** The object store's access key pair as the registry reads it (MinIO mode). */
  storeSecret: "assets-object-store",
  bucketJob: "assets-bucket",
  registry: "assets-registry",
  /** The Rook object-store user (Ceph mode). */
  cephUser: "aios-assets",
  dbUser: "root",
} as const;

const { objectStore: STORE_NS, assetsDb: DB_NS } = ADDON_NAMESPACES;

/** Where the registry finds the object store and its key pair. */
export interface ObjectStoreAccess {
  /** The S3 endpoint URL. */
  readonly endpoint: string;
  readonly accessKey: SecretKeyRef;
  readonly secretKey: SecretKeyRef;
}

/** The object store as seen from namespace `assets-db`. */
export function objectStoreAccess(s: AssetsRegistrySettings): ObjectStoreAccess {
  const store = s.objectStore;
  if (store.type === "minio") {
    return {
      endpoint: `http://${serviceDns(ASSETS.minioService, STORE_NS)}:${ADDON_PORTS.minio}`,
      accessKey: { secret: ASSETS.storeSecret, key: "access-key" },
      secretKey: { secret: ASSETS.storeSecret, key: "secret-key" },
    };
  }
  // Rook writes the user's keys into this Secret in the user's namespace.
  const secret = `rook-ceph-object-user-${store.storeName}-${ASSETS.cephUser}`;
  return {
    endpoint: `http://${serviceDns(`rook-ceph-rgw-${store.storeName}`, store.rookNamespace)}:80`,
    accessKey: { secret, key: "AccessKey" },
    secretKey: { secret, key: "SecretKey" },
  };
}

/** `assets-storage/minio`: one server, its volume from the StatefulSet, ClusterIP only. */
export function minioWorkload(ctx: AddonSpecContext, s: AssetsRegistrySettings): WorkloadArgs {
  if (s.objectStore.type !== "minio") {
    throw new Error("minioWorkload: the object store is not MinIO");
  }
  return {
    clusterId: ctx.clusterId,
    namespace: STORE_NS,
    name: ASSETS.minio,
    component: "object-store",
    kind: "StatefulSet",
    containers: [
      buildContainer({
        name: "minio",
        image: image(ctx, "minio"),
        args: ["server", "/data"],
        ports: [{ name: "s3", containerPort: ADDON_PORTS.minio }],
        readiness: { port: "s3", httpPath: "/minio/health/ready" },
        resources: { cpuMillicores: 100, memoryMiB: 512, memoryLimitMiB: 1024 },
        secretEnv: {
          MINIO_ROOT_USER: { secret: ASSETS.minioSecret, key: "root-user" },
          MINIO_ROOT_PASSWORD: { secret: ASSETS.minioSecret, key: "root-password" },
        },
        volumeMounts: [{ name: "data", mountPath: "/data" }],
      }),
    ],
    volumeClaim: { name: "data", ...s.objectStore.volume },
    // Authenticated, and reachable only from the assets namespace (the registry, the bucket Job).
    ingress: [
      allow(
        ["s3"],
        [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": DB_NS } } }],
      ),
    ],
    services: [{ name: ASSETS.minioService, ports: [{ name: "s3", port: ADDON_PORTS.minio }] }],
  };
}

/** The members of the replica set, as `host:port`. */
export function replicaSetMembers(s: AssetsRegistrySettings): string[] {
  return Array.from(
    { length: s.db.replicas },
    (_, i) => `${ASSETS.db}-${i}.${serviceDns(ASSETS.db, DB_NS)}:${ADDON_PORTS.mongo}`,
  );
}

/** The connection URL the registry uses (password and all; it goes into a Secret). */
export function assetsDbUrl(s: AssetsRegistrySettings, password: string): string {
  return `mongodb://${ASSETS.dbUser}:${encodeURIComponent(password)}@${replicaSetMembers(s).join(",")}/assets?replicaSet=${ASSETS.replicaSet}&authSource=admin`;
}

/** `assets-db/assets-db`: an authenticated Mongo replica set, a volume per member. */
export function assetsDbWorkload(ctx: AddonSpecContext, s: AssetsRegistrySettings): WorkloadArgs {
  const mongo = image(ctx, "mongo");
  return {
    clusterId: ctx.clusterId,
    namespace: DB_NS,
    name: ASSETS.db,
    component: "assets-db",
    kind: "StatefulSet",
    replicas: s.db.replicas,
    // mongod refuses a key file readable by others or owned by someone else: copy it with the
    // owner (the image's mongodb user, 999) and mode it insists on.
    initContainers: [
      buildTaskContainer({
        name: "keyfile",
        image: mongo,
        command: [
          "sh",
          "-c",
          "cp /keyfile-src/keyfile /keyfile/keyfile && chmod 400 /keyfile/keyfile && chown 999:999 /keyfile/keyfile",
        ],
        resources: { cpuMillicores: 10, memoryMiB: 32 },
        volumeMounts: [
          { name: "keyfile-src", mountPath: "/keyfile-src", readOnly: true },
          { name: "keyfile", mountPath: "/keyfile" },
        ],
      }),
    ],
    containers: [
      buildContainer({
        name: "mongodb",
        image: mongo,
        args: ["--replSet", ASSETS.replicaSet, "--bind_ip_all", "--keyFile", "/keyfile/keyfile"],
        ports: [{ name: "mongo", containerPort: ADDON_PORTS.mongo }],
        readiness: { port: "mongo", tcp: true },
        resources: { cpuMillicores: 100, memoryMiB: 512, memoryLimitMiB: 1024 },
        secretEnv: {
          MONGO_INITDB_ROOT_USERNAME: { secret: ASSETS.dbSecret, key: "username" },
          MONGO_INITDB_ROOT_PASSWORD: { secret: ASSETS.dbSecret, key: "password" },
        },
        volumeMounts: [
          { name: "data", mountPath: "/data/db" },
          { name: "keyfile", mountPath: "/keyfile" },
        ],
      }),
    ],
    volumes: [
      {
        name: "keyfile-src",
        secret: { secretName: ASSETS.dbSecret, items: [{ key: "keyfile", path: "keyfile" }] },
      },
      { name: "keyfile", emptyDir: { medium: "Memory" } },
    ],
    volumeClaim: { name: "data", ...s.db.volume },
    ingress: [
      allow(
        ["mongo"],
        [podsNamed(ASSETS.db), podsNamed(ASSETS.registry), podsNamed(ASSETS.dbInit)],
      ),
    ],
    services: [
      { name: ASSETS.db, headless: true, ports: [{ name: "mongo", port: ADDON_PORTS.mongo }] },
    ],
  };
}

/** Labels of a Job's pods (and the Job). */
function jobLabels(ctx: AddonSpecContext, name: string) {
  return recommendedLabels({ name, component: "assets-registry", clusterId: ctx.clusterId });
}

/**
 * The script that brings the replica set to its members: initiate it once, then add and remove
 * members one at a time (MongoDB allows one voting change per reconfiguration), so a re-run finds
 * nothing to do and a changed `db.replicas` re-runs it with the new member list.
 */
export function replicaSetInitScript(s: AssetsRegistrySettings): string {
  const members = replicaSetMembers(s).map((host, i) => ({ _id: i, host }));
  const config = JSON.stringify({ _id: ASSETS.replicaSet, members });
  return [
    `const want = ${JSON.stringify(members.map((m) => m.host))};`,
    "let conf;",
    "try { conf = rs.conf() } catch (e) {",
    '  if (e.codeName !== "NotYetInitialized") { throw e }',
    `  rs.initiate(${config}); print("replica set initiated"); quit(0)`,
    "}",
    "const have = conf.members.map((m) => m.host);",
    "for (const host of want.filter((h) => !have.includes(h))) { rs.add(host); print(`added ${host}`) }",
    "for (const host of have.filter((h) => !want.includes(h))) { rs.remove(host); print(`removed ${host}`) }",
    'print("replica set up to date")',
  ].join("\n");
}

/** The Job that initiates the replica set, as the root user, through the first member. */
export function assetsDbInitJob(ctx: AddonSpecContext, s: AssetsRegistrySettings): JobObject {
  const first = replicaSetMembers(s)[0] ?? "";
  return {
    name: ASSETS.dbInit,
    labels: jobLabels(ctx, ASSETS.dbInit),
    spec: buildJobSpec({
      labels: jobLabels(ctx, ASSETS.dbInit),
      // Members come up one after another: retry until the first answers.
      backoffLimit: 20,
      containers: [
        buildTaskContainer({
          name: "rs-initiate",
          image: image(ctx, "mongo"),
          command: [
            "sh",
            "-c",
            `mongosh --quiet "mongodb://${first}/admin?directConnection=true" -u "$MONGO_USER" -p "$MONGO_PASSWORD" --eval "$SCRIPT"`,
          ],
          env: { SCRIPT: replicaSetInitScript(s) },
          secretEnv: {
            MONGO_USER: { secret: ASSETS.dbSecret, key: "username" },
            MONGO_PASSWORD: { secret: ASSETS.dbSecret, key: "password" },
          },
          resources: { cpuMillicores: 50, memoryMiB: 128 },
        }),
      ],
    }),
  };
}

/** The Job that creates the bucket (if missing) with the registry's own key pair. */
export function bucketJob(ctx: AddonSpecContext, s: AssetsRegistrySettings): JobObject {
  const store = objectStoreAccess(s);
  return {
    name: ASSETS.bucketJob,
    labels: jobLabels(ctx, ASSETS.bucketJob),
    spec: buildJobSpec({
      labels: jobLabels(ctx, ASSETS.bucketJob),
      containers: [
        buildTaskContainer({
          name: "make-bucket",
          image: image(ctx, "minioClient"),
          command: [
            "sh",
            "-c",
            'mc alias set store "$S3_ENDPOINT_URL" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" && mc mb --ignore-existing "store/$S3_BUCKET_NAME"',
          ],
          env: {
            S3_ENDPOINT_URL: store.endpoint,
            S3_BUCKET_NAME: s.objectStore.bucket,
            MC_CONFIG_DIR: "/tmp/mc",
          },
          secretEnv: { AWS_ACCESS_KEY_ID: store.accessKey, AWS_SECRET_ACCESS_KEY: store.secretKey },
          resources: { cpuMillicores: 50, memoryMiB: 64 },
        }),
      ],
    }),
  };
}

/** `assets-db/assets-registry`: the server, wired to the DB and the object store. */
export function assetsRegistryWorkload(
  ctx: AddonSpecContext,
  s: AssetsRegistrySettings,
): WorkloadArgs {
  const store = objectStoreAccess(s);
  return {
    clusterId: ctx.clusterId,
    namespace: DB_NS,
    name: ASSETS.registry,
    component: "assets-registry",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "assets-registry",
        image: image(ctx, "assetsRegistry"),
        ports: [{ name: "http", containerPort: ADDON_PORTS.assetsRegistry }],
        readiness: { port: "http", httpPath: "/health" },
        resources: { cpuMillicores: 100, memoryMiB: 256, memoryLimitMiB: 512 },
        env: {
          PUBLIC_URL: publicUrl(ctx, "assetsRegistry"),
          AWS_REGION: "us-east-1",
          S3_ENDPOINT_URL: store.endpoint,
          S3_BUCKET_NAME: s.objectStore.bucket,
        },
        secretEnv: {
          MONGO_URL: { secret: ASSETS.dbSecret, key: "url" },
          AWS_ACCESS_KEY_ID: store.accessKey,
          AWS_SECRET_ACCESS_KEY: store.secretKey,
        },
      }),
    ],
    services: [
      {
        name: ASSETS.registry,
        ports: [
          {
            name: "http",
            port: ADDON_PORTS.assetsRegistry,
            nodePort: planned(ctx, "assetsRegistry"),
          },
        ],
      },
    ],
  };
}

/** Pulumi waits for a Rook resource until Rook reports it ready (the bucket Job needs both). */
const READY = { "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" };

/** The Rook object store and its user (Ceph mode): the CRs, as plain objects. */
export function cephObjectStore(ctx: AddonSpecContext, s: AssetsRegistrySettings) {
  const store = s.objectStore;
  if (store.type !== "ceph") {
    throw new Error("cephObjectStore: the object store is not Ceph");
  }
  const labels = recommendedLabels({
    name: store.storeName,
    component: "object-store",
    clusterId: ctx.clusterId,
  });
  const pool = { failureDomain: "host", replicated: { size: store.poolReplicas } };
  return {
    store: {
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStore",
      metadata: {
        name: store.storeName,
        namespace: store.rookNamespace,
        labels,
        annotations: READY,
      },
      spec: {
        metadataPool: pool,
        dataPool: pool,
        // destroy leaves nothing: the pools go with the store.
        preservePoolsOnDelete: false,
        gateway: { port: 80, instances: 1 },
        // The user lives beside the registry, so its key Secret is readable there.
        allowUsersInNamespaces: [DB_NS],
      },
    },
    user: {
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStoreUser",
      metadata: { name: ASSETS.cephUser, namespace: DB_NS, labels, annotations: READY },
      spec: {
        store: store.storeName,
        clusterNamespace: store.rookNamespace,
        displayName: `AIOS assets registry of ${ctx.clusterId}`,
      },
    },
  };
}

/** The entry posted to `/asset_registry`. */
export function assetsRegistryEntry(
  ctx: AddonSpecContext,
  s: AssetsRegistrySettings,
  id: string,
): Record<string, unknown> {
  return {
    asset_registry_id: id,
    asset_registry_name: entryName(ctx.clusterId, s.name, "assets-registry"),
    asset_registry_metadata: {
      ...s.metadata,
      cluster_id: ctx.clusterId,
      storage: s.objectStore.type,
    },
    asset_registry_tags: s.tags,
    asset_registry_public_url: publicUrl(ctx, "assetsRegistry"),
  };
}

/** The probe the registry makes: `GET /health`, 2xx. */
export function assetsRegistryProbe(ctx: AddonSpecContext, s: AssetsRegistrySettings): AddonProbe {
  return {
    url: `${publicUrl(ctx, "assetsRegistry")}/health`,
    accepts: "2xx",
    timeoutSeconds: s.probeTimeoutSeconds,
  };
}
