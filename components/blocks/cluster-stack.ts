/**
 * What a blocks-only stack reads from the cluster stack it references: the cluster id and the
 * network's endpoints, validated like stack config, at preview.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, problemsFromZod } from "../config-errors";
import { CONFIG_NAMESPACE } from "../config-namespace";
import { networkEndpointsSchema, type NetworkEndpoints } from "../network-endpoints";
import type { BlockSettings } from "./block-settings";

/** The referenced cluster. */
export interface ReferencedCluster {
  readonly clusterId: string;
  readonly network: NetworkEndpoints;
}

/** Reads and validates the cluster stack's `clusterId` and `network` outputs. */
export async function readClusterStack(
  ref: pulumi.StackReference,
  stackName: string,
  blocks: readonly BlockSettings[],
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
  const problems = blocks.flatMap((b, i) =>
    b.initContainer?.statusSource === "controller" &&
    parsed.data.cluster_controller_gateway_url === undefined
      ? [
          {
            path: `${CONFIG_NAMESPACE}:blocks[${i}].initContainer.statusSource`,
            message: `'controller' needs the network's cluster_controller_gateway_url, which stack ${stackName} does not export`,
            received: '"controller"',
          },
        ]
      : [],
  );
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return { clusterId: clusterId.value, network: parsed.data };
}
