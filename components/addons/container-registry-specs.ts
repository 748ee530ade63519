/**
 * The container registry add-on (aios-spec §3.1), declared: `registry:2` pinned, images on a
 * PersistentVolumeClaim (a node directory only when asked, and then pinned to that node), htpasswd
 * authentication with a generated password, a NodePort from the stack's plan, and its entry in the
 * container-registry registry, which probes `/v2/` first (401 there means up, asking for login).
 */
import type { AddonProbe } from "../aios-api/addon-registration";
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer } from "../k8s/workload-specs";
import {
  ADDON_NAMESPACES,
  ADDON_PORTS,
  image,
  planned,
  publicUrl,
  type AddonSpecContext,
} from "./addon-endpoints";
import { entryName } from "./addon-entry";
import type { ContainerRegistrySettings } from "./addon-settings";

/** Object names of the container registry. */
export const CONTAINER_REGISTRY = {
  name: "registry",
  service: "registry-service",
  /** The Secret holding the htpasswd file. */
  authSecret: "registry-htpasswd",
  /** Mount path of the htpasswd file's directory. */
  authDir: "/auth",
} as const;

/** The registry's workload. */
export function containerRegistryWorkload(
  ctx: AddonSpecContext,
  s: ContainerRegistrySettings,
): WorkloadArgs {
  const hostPath = s.storage.hostPath;
  return {
    clusterId: ctx.clusterId,
    namespace: ADDON_NAMESPACES.containerRegistry,
    name: CONTAINER_REGISTRY.name,
    component: "container-registry",
    // A claim per replica from the StatefulSet (deleted with it); a node directory needs no claim.
    kind: hostPath === undefined ? "StatefulSet" : "Deployment",
    containers: [
      buildContainer({
        name: "registry",
        image: image(ctx, "containerRegistry"),
        ports: [{ name: "registry", containerPort: ADDON_PORTS.registry }],
        // `/v2/` answers 401 without credentials: probe the socket.
        readiness: { port: "registry", tcp: true },
        resources: { cpuMillicores: 100, memoryMiB: 256, memoryLimitMiB: 512 },
        env: {
          REGISTRY_AUTH: "htpasswd",
          REGISTRY_AUTH_HTPASSWD_REALM: `AIOS registry ${ctx.clusterId}`,
          REGISTRY_AUTH_HTPASSWD_PATH: `${CONTAINER_REGISTRY.authDir}/htpasswd`,
          REGISTRY_STORAGE_DELETE_ENABLED: "true",
        },
        volumeMounts: [
          { name: "data", mountPath: "/var/lib/registry" },
          { name: "auth", mountPath: CONTAINER_REGISTRY.authDir, readOnly: true },
        ],
      }),
    ],
    volumes: [
      { name: "auth", secret: { secretName: CONTAINER_REGISTRY.authSecret } },
      ...(hostPath === undefined
        ? []
        : [{ name: "data", hostPath: { path: hostPath, type: "DirectoryOrCreate" } }]),
    ],
    ...(hostPath === undefined
      ? {
          volumeClaim: {
            name: "data",
            sizeMB: s.storage.sizeMB,
            ...(s.storage.storageClassName === undefined
              ? {}
              : { storageClassName: s.storage.storageClassName }),
          },
        }
      : { nodeSelector: { "kubernetes.io/hostname": s.storage.nodeName ?? "" } }),
    services: [
      {
        name: CONTAINER_REGISTRY.service,
        ports: [
          {
            name: "registry",
            port: ADDON_PORTS.registry,
            nodePort: planned(ctx, "containerRegistry"),
          },
        ],
      },
    ],
  };
}

/** The registry's public URL and image prefix. */
export function containerRegistryUrls(ctx: AddonSpecContext): { url: string; prefix: string } {
  const url = publicUrl(ctx, "containerRegistry");
  return { url, prefix: url.replace(/^http:\/\//, "") };
}

/** The entry posted to `/container_registry`. */
export function containerRegistryEntry(
  ctx: AddonSpecContext,
  s: ContainerRegistrySettings,
  id: string,
): Record<string, unknown> {
  const { url, prefix } = containerRegistryUrls(ctx);
  return {
    container_registry_id: id,
    container_registry_name: entryName(ctx.clusterId, s.name, "container-registry"),
    container_registry_metadata: { ...s.metadata, cluster_id: ctx.clusterId },
    container_registry_tags: s.tags,
    container_registry_public_url: url,
    container_registry_image_prefix: prefix,
    container_registry_config: { auth: "htpasswd", username: s.username },
    container_registry_storage_info: {
      storage_type: "fs",
      storage_size: s.storage.sizeMB,
      memory_size: 512,
      registry_type: "aios",
    },
  };
}

/** The probe the registry makes: `GET /v2/`, up when it answers at all (401 asks for login). */
export function containerRegistryProbe(
  ctx: AddonSpecContext,
  s: ContainerRegistrySettings,
): AddonProbe {
  return {
    url: `${containerRegistryUrls(ctx).url}/v2/`,
    accepts: "below-500",
    timeoutSeconds: s.probeTimeoutSeconds,
  };
}
