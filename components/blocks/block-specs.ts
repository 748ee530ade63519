/**
 * Pure specs of a third-party block: its release name, the URLs it exposes, its init container's
 * least-privilege rules and lifecycle spec.
 */
import type * as k8s from "@pulumi/kubernetes";
import { MANAGE, READ } from "../k8s/access";
import { MANAGED_BY } from "./lifecycle/blocks-db";
import type { LifecycleSpec } from "./lifecycle/init-container-contract";
import type { NetworkEndpoints } from "../config/network-endpoints";
import {
  CONTAINER_PORTS,
  controllerServiceName,
  serviceHost,
  SERVICE_NAMESPACES,
} from "../cluster/service-endpoints";
import type { BlockSettings, InitContainerSettings } from "./block-settings";

/** The Helm release of a block's system: `<blockId>-<name>`. */
export function releaseName(block: Pick<BlockSettings, "id" | "name">): string {
  return `${block.id}-${block.name}`;
}

/** The ServiceAccount (and Role) of a block's init container. */
export function initServiceAccountName(blockId: string): string {
  return `${blockId}-init`;
}

/** A Service port as the cluster reports it. */
export interface ReportedPort {
  readonly name?: string;
  readonly port: number;
}

/** Builds a URL to a Service port, by port name or number; throws naming the ports it has. */
export function serviceUrl(args: {
  readonly service: string;
  readonly namespace: string;
  readonly port: string | number;
  readonly scheme: string;
  readonly path: string;
  readonly ports: readonly ReportedPort[];
}): string {
  const port =
    typeof args.port === "number"
      ? args.ports.find((p) => p.port === args.port)
      : args.ports.find((p) => p.name === args.port);
  if (port === undefined) {
    const have = args.ports.map((p) => `${p.name ?? "-"}:${p.port}`).join(", ") || "none";
    throw new Error(
      `Service ${args.namespace}/${args.service} has no port ${JSON.stringify(args.port)} (its ports: ${have})`,
    );
  }
  return `${args.scheme}://${serviceHost(args.service, args.namespace)}:${port.port}${args.path}`;
}

/**
 * What an init container may do in its block's namespace: install and remove the system's usual
 * objects. Explicit verbs, no wildcards, nothing cluster-wide, no RBAC objects.
 */
export const INIT_CONTAINER_RULES: readonly k8s.types.input.rbac.v1.PolicyRule[] = [
  {
    apiGroups: [""],
    resources: ["services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"],
    verbs: [...MANAGE],
  },
  { apiGroups: [""], resources: ["pods"], verbs: [...READ, "delete"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  {
    apiGroups: ["apps"],
    resources: ["deployments", "statefulsets", "daemonsets"],
    verbs: [...MANAGE],
  },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: [...MANAGE] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: [...MANAGE] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: [...MANAGE] },
];

/** The ConfigMap with the SDK endpoint's script and the block's and cluster's documents. */
export function sdkEndpointConfigMapName(blockId: string): string {
  return `${blockId}-init-sdk`;
}

/**
 * The block document the SDK endpoint serves at `GET /blocks/<id>` (and that is posted to the
 * blocks DB when the stack keeps the block there): the fields upstream's blocks carry
 * (docs/blocks.md, "The block document"), with the block's `blockData` merged over them.
 */
export function blockDocument(args: {
  readonly block: BlockSettings;
  readonly init: InitContainerSettings;
  readonly clusterId: string;
  /** The cluster's registry document (`cluster`), as upstream's controller stores it. */
  readonly cluster: Readonly<Record<string, unknown>>;
}): Record<string, unknown> {
  const { block, init } = args;
  return {
    id: block.id,
    blockMetadata: {
      name: block.name,
      namespace: block.namespace,
      managedBy: MANAGED_BY,
    },
    component: {
      containerRegistryInfo: {
        // Upstream's controller detects third-party blocks by exactly this value.
        componentMode: "third_party",
        initContainer: { image: init.image },
      },
    },
    cluster: { ...args.cluster, id: args.clusterId },
    blockInitData: {},
    initSettings: {},
    parameters: {},
    policies: {},
    ...init.blockData,
  };
}

/** The lifecycle spec of a block's init container. */
export function lifecycleSpec(args: {
  readonly block: BlockSettings;
  readonly init: InitContainerSettings;
  readonly clusterId: string;
  readonly network: NetworkEndpoints;
  readonly labels: Readonly<Record<string, string>>;
  /** The SDK endpoint's image (`aios-infra:images.sdkEndpoint`), for `statusSource: sdk`. */
  readonly sdkEndpointImage?: string;
  /** Whether the SDK endpoint asks the network's blocks DB and cluster registry first. */
  readonly proxyNetwork: boolean;
}): LifecycleSpec {
  const { block, init } = args;
  const sdk = init.statusSource === "sdk";
  if (sdk && args.sdkEndpointImage === undefined) {
    throw new Error(`block ${block.id}: statusSource 'sdk' needs aios-infra:images.sdkEndpoint`);
  }
  return {
    blockId: block.id,
    clusterId: args.clusterId,
    namespace: block.namespace,
    image: init.image,
    serviceAccountName: initServiceAccountName(block.id),
    controllerUrl: `http://${serviceHost(controllerServiceName(args.clusterId), SERVICE_NAMESPACES.controllers)}:${CONTAINER_PORTS.infra}`,
    blockServiceUrl: args.network.blocks_db_url,
    clusterServiceUrl: args.network.cluster_db_url,
    allocationData: init.allocationData,
    env: init.env,
    podAnnotations: init.podAnnotations,
    deadlineSeconds: init.deadlineSeconds,
    backoffLimit: init.backoffLimit,
    labels: args.labels,
    statusSource: init.statusSource,
    ...(sdk && args.sdkEndpointImage !== undefined
      ? {
          sdkEndpoint: {
            image: args.sdkEndpointImage,
            port: init.sdkEndpointPort,
            configMap: sdkEndpointConfigMapName(block.id),
            ...(args.proxyNetwork
              ? {
                  upstreamBlockServiceUrl: args.network.blocks_db_url,
                  upstreamClusterServiceUrl: args.network.cluster_db_url,
                }
              : {}),
          },
        }
      : {}),
  };
}
