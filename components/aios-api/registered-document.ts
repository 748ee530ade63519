/**
 * What the stack registers with the AIOS network: the cluster document as the registry stores it
 * (aios-spec §2.6), without this project's own extension (`kubernetesNodeName`), and the endpoints
 * the registration talks to.
 */
import type { ClusterDocument } from "../config/cluster-document";
import type { NetworkEndpoints } from "../config/network-endpoints";
import type { AiosEndpoints } from "./client";

/** The document to register. */
export function registeredDocument(
  doc: ClusterDocument,
  virtualNodeIds: readonly string[] = [],
): Record<string, unknown> {
  return {
    ...doc,
    nodes: {
      ...doc.nodes,
      nodeData: doc.nodes.nodeData.map(({ kubernetesNodeName: _name, ...node }) =>
        virtualNodeIds.includes(node.id) ? { ...node, virtual: true } : node,
      ),
    },
  };
}

/** The AIOS endpoints of a network configuration. */
export function aiosEndpoints(network: NetworkEndpoints): AiosEndpoints {
  return {
    parser: network.parser_url,
    gateway: network.cluster_controller_gateway_url,
    clusterRegistry: network.cluster_db_url,
    tasksDb: network.tasks_db_url,
  };
}
