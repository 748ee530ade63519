/**
 * The assets registry add-on: object storage (MinIO with generated credentials, or a Rook/Ceph
 * object store), the assets DB replica set, the bucket, the registry server and its registration —
 * each built from assets-registry-specs.ts.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AddonRegistration } from "../aios-api/addon-registration";
import type { JobObject } from "../k8s/job-specs";
import { GeneratedSecret } from "../k8s/generated-secret";
import { Workload } from "../cluster/workload";
import { ADDON_NAMESPACES, publicUrl, type AddonSpecContext } from "./addon-endpoints";
import { addonEntryId } from "./addon-entry";
import { addonNamespace, credentialSecret } from "./addon-resources";
import type { AssetsRegistrySettings } from "./addon-settings";
import {
  ASSETS,
  assetsDbInitJob,
  assetsDbUrl,
  assetsDbWorkload,
  assetsRegistryEntry,
  assetsRegistryProbe,
  assetsRegistryWorkload,
  bucketJob,
  cephObjectStore,
  minioWorkload,
} from "./assets-registry-specs";

/** Arguments of {@link AssetsRegistry}. */
export interface AssetsRegistryArgs {
  readonly context: AddonSpecContext;
  readonly settings: AssetsRegistrySettings;
  /** The assets registry listing to register with. @default - not registered */
  readonly registryUrl?: string;
}

/** Object storage, DB and server of the cluster's assets registry. */
export class AssetsRegistry extends pulumi.ComponentResource {
  /** The server's public URL. */
  public readonly url: pulumi.Output<string>;
  /** The object store kind (`minio` or `ceph`). */
  public readonly objectStore: pulumi.Output<string>;
  /** The bucket the assets are stored in. */
  public readonly bucket: pulumi.Output<string>;
  /** The registry entry's id, or undefined when not registered. */
  public readonly entryId: pulumi.Output<string | undefined>;

  constructor(name: string, args: AssetsRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:AssetsRegistry", name, {}, opts);
    const { context: ctx, settings } = args;
    const child = { parent: this };
    const secretObject = (
      key: string,
      objectName: string,
      namespace: string,
      namespaceResource: pulumi.Resource,
      stringData: Record<string, pulumi.Input<string>>,
    ) =>
      credentialSecret(this, `${name}-${key}`, {
        clusterId: ctx.clusterId,
        name: objectName,
        namespace,
        component: "assets-registry",
        stringData,
        namespaceResource,
      });
    const job = (key: string, spec: JobObject, dependsOn: pulumi.Resource[]) =>
      new k8s.batch.v1.Job(
        `${name}-${key}`,
        {
          metadata: {
            name: spec.name,
            namespace: ADDON_NAMESPACES.assetsDb,
            labels: { ...spec.labels },
          },
          spec: spec.spec,
        },
        // A changed Job is a new Job of the same name: the old one goes first.
        { parent: this, dependsOn, deleteBeforeReplace: true },
      );

    const dbNs = addonNamespace(
      this,
      `${name}-namespace-db`,
      ADDON_NAMESPACES.assetsDb,
      ctx.clusterId,
    );

    // The object store, and the key pair the registry and the bucket Job use.
    let store: pulumi.Resource[];
    if (settings.objectStore.type === "minio") {
      const storeNs = addonNamespace(
        this,
        `${name}-namespace-storage`,
        ADDON_NAMESPACES.objectStore,
        ctx.clusterId,
      );
      const accessKey = new GeneratedSecret(`${name}-minio-user`, { length: 20 }, child);
      const secretKey = new GeneratedSecret(`${name}-minio-password`, { length: 40 }, child);
      const rootSecret = secretObject(
        "minio-secret",
        ASSETS.minioSecret,
        ADDON_NAMESPACES.objectStore,
        storeNs,
        {
          "root-user": accessKey.value,
          "root-password": secretKey.value,
        },
      );
      const minio = new Workload(`${name}-minio`, minioWorkload(ctx, settings), {
        parent: this,
        dependsOn: [storeNs, rootSecret],
      });
      const keys = secretObject(
        "store-secret",
        ASSETS.storeSecret,
        ADDON_NAMESPACES.assetsDb,
        dbNs,
        {
          "access-key": accessKey.value,
          "secret-key": secretKey.value,
        },
      );
      store = [minio, keys];
    } else {
      const crs = cephObjectStore(ctx, settings);
      const objectStore = new k8s.apiextensions.CustomResource(
        `${name}-ceph-store`,
        crs.store,
        child,
      );
      const user = new k8s.apiextensions.CustomResource(`${name}-ceph-user`, crs.user, {
        parent: this,
        dependsOn: [dbNs, objectStore],
      });
      store = [objectStore, user];
    }

    // The replica set: credentials, members, initiation.
    const rootPassword = new GeneratedSecret(`${name}-db-password`, {}, child);
    const keyFile = new GeneratedSecret(`${name}-db-keyfile`, { length: 756 }, child);
    const dbSecret = secretObject("db-secret", ASSETS.dbSecret, ADDON_NAMESPACES.assetsDb, dbNs, {
      username: ASSETS.dbUser,
      password: rootPassword.value,
      keyfile: keyFile.value,
      url: rootPassword.value.apply((p) => assetsDbUrl(settings, p)),
    });
    const db = new Workload(`${name}-db`, assetsDbWorkload(ctx, settings), {
      parent: this,
      dependsOn: [dbNs, dbSecret],
    });
    const initiated = job("db-init", assetsDbInitJob(ctx, settings), [db, dbSecret]);
    const bucket = job("bucket", bucketJob(ctx, settings), [dbNs, ...store]);

    const server = new Workload(`${name}-server`, assetsRegistryWorkload(ctx, settings), {
      parent: this,
      dependsOn: [dbNs, dbSecret, initiated, bucket, ...store],
    });
    const entryId = addonEntryId(ctx.clusterId, "assetsRegistry");
    const registration =
      args.registryUrl === undefined
        ? undefined
        : new AddonRegistration(
            `${name}-registration`,
            {
              registry: { url: args.registryUrl, collection: "asset_registry" },
              entryId,
              entry: assetsRegistryEntry(ctx, settings, entryId),
              probe: assetsRegistryProbe(ctx, settings),
            },
            { parent: this, dependsOn: [server] },
          );
    this.url = pulumi.output(publicUrl(ctx, "assetsRegistry"));
    this.objectStore = pulumi.output(settings.objectStore.type);
    this.bucket = pulumi.output(settings.objectStore.bucket);
    this.entryId = registration?.entryId ?? pulumi.output(undefined);
    this.registerOutputs({
      url: this.url,
      objectStore: this.objectStore,
      bucket: this.bucket,
      entryId: this.entryId,
    });
  }
}
