/**
 * What a blocks-only stack reads from the cluster stack it references: the cluster id and the
 * network's endpoints, validated like stack config, at preview, and whether it is registered
 * with the network and its registry document (for the blocks' SDK endpoints).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, problemsFromZod } from "./config-errors";
import { CONFIG_NAMESPACE } from "./config-namespace";
import { networkEndpointsSchema, type NetworkEndpoints } from "./network-endpoints";

/** The referenced cluster. */
export interface ReferencedCluster {
  readonly clusterId: string;
  readonly network: NetworkEndpoints;
  /** Whether the cluster stack registers the cluster with the network (`registered` output). */
  readonly registered: boolean;
  /** The cluster's registry document (`clusterDocument` output). @default - `{id}` only */
  readonly document?: Record<string, unknown>;
}

/** Reads and validates the cluster stack's `clusterId` and `network` outputs. */
export async function readClusterStack(
  ref: pulumi.StackReference,
  stackName: string,
): Promise<ReferencedCluster> {
  const at = `${CONFIG_NAMESPACE}:clusterStack`;
  const [clusterId, network] = await Promise.all([
    ref.getOutputDetails("clusterId"),
    ref.getOutputDetails("network"),
  ]);
  if (typeof clusterId.value !== "string") {
    throw new ConfigError([
      {
        path: at,
        message: `stack ${stackName} has no clusterId output; reference a cluster stack that has been deployed`,
        received: JSON.stringify(stackName),
      },
    ]);
  }
  const parsed = networkEndpointsSchema.safeParse(network.value, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      problemsFromZod(`${at}(${stackName}).outputs`, [
        ...parsed.error.issues.map((i) => ({ ...i, path: ["network", ...i.path] })),
      ]),
    );
  }
  const registered = await ref.getOutputDetails("registered");
  const document = await ref.getOutputDetails("clusterDocument");
  return {
    clusterId: clusterId.value,
    network: parsed.data,
    registered: registered.value === true,
    ...(typeof document.value === "object" && document.value !== null
      ? { document: document.value as Record<string, unknown> }
      : {}),
  };
}
