/**
 * Checks, at preview, that every node of the cluster document exists in the target cluster, so a
 * misspelt or not-yet-joined node is a clear error naming it — not a patch that fails or waits
 * halfway through an update.
 */
import * as k8s from "@kubernetes/client-node";
import type { ResolvedNode } from "./stack-config";
import { CONFIG_NAMESPACE } from "./config-namespace";
import type { ConfigProblem } from "./config-errors";

/** How long listing the cluster's nodes may take. */
export const NODE_LIST_TIMEOUT_MS = 20_000;

/** Names of the nodes the cluster has, read with `kubeconfig` (default: $KUBECONFIG). */
export async function listClusterNodes(kubeconfig: string | undefined): Promise<string[]> {
  const kc = new k8s.KubeConfig();
  if (kubeconfig === undefined) {
    kc.loadFromDefault();
  } else {
    kc.loadFromString(kubeconfig);
  }
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${NODE_LIST_TIMEOUT_MS / 1000} s`)),
      NODE_LIST_TIMEOUT_MS,
    );
  });
  try {
    const list = await Promise.race([core.listNode(), timeout]);
    return list.items.map((n) => n.metadata?.name ?? "").filter((n) => n !== "");
  } finally {
    clearTimeout(timer);
  }
}

/** The problems for configured nodes that `existing` lacks. */
export function missingNodeProblems(
  nodes: readonly ResolvedNode[],
  existing: readonly string[],
): ConfigProblem[] {
  const present = new Set(existing);
  const known = existing.length === 0 ? "none" : [...existing].sort().join(", ");
  // Virtual nodes are not checked: the stack creates them (interLink).
  return nodes.flatMap((node, i) =>
    node.virtual || present.has(node.kubernetesNodeName)
      ? []
      : [
          {
            path: `${CONFIG_NAMESPACE}:cluster.nodes.nodeData[${i}].kubernetesNodeName`,
            message: `names node '${node.kubernetesNodeName}', which the cluster does not have (its nodes: ${known}); fix the name, join the node first, or set ${CONFIG_NAMESPACE}:verifyNodes to false to plan ahead`,
            received: JSON.stringify(node.kubernetesNodeName),
          },
        ],
  );
}

/** Lists the cluster's nodes and returns the problems, or one problem when listing fails. */
export async function verifyNodesExist(
  nodes: readonly ResolvedNode[],
  kubeconfig: string | undefined,
): Promise<ConfigProblem[]> {
  try {
    return missingNodeProblems(nodes, await listClusterNodes(kubeconfig));
  } catch (e) {
    return [
      {
        path: `${CONFIG_NAMESPACE}:cluster.nodes`,
        message: `could not list the target cluster's nodes to check them (${describe(e)}); check the kubeconfig, or set ${CONFIG_NAMESPACE}:verifyNodes to false`,
        received: `${nodes.length} node(s)`,
      },
    ];
  }
}

/** An error's message with its cause (fetch wraps the connection error in `cause`). */
function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause?.code ?? err.cause?.message;
  return cause === undefined ? String(err.message) : `${err.message}: ${cause}`;
}
