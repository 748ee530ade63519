/**
 * Node objects for kwok, shaped like the nodes of the stack's cluster document: name, labels and
 * the capacity the document declares (CPU, memory, pods and GPUs).
 */
import type { V1Node } from "@kubernetes/client-node";

/** One simulated node. */
export interface LocalNodeSpec {
  /** Kubernetes node name. */
  readonly name: string;
  /** Extra labels on the node. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** CPU cores. @default 8 */
  readonly cpu?: number;
  /** Memory in MiB. @default 32768 */
  readonly memoryMiB?: number;
  /** GPUs, advertised as `nvidia.com/gpu`. @default 0 */
  readonly gpus?: number;
  /** Pod capacity. @default 110 */
  readonly pods?: number;
}

/** The annotation kwok uses to recognise nodes it manages. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

/** Builds the Node object for one simulated node. */
export function buildKwokNode(spec: LocalNodeSpec): V1Node {
  const capacity: Record<string, string> = {
    cpu: String(spec.cpu ?? 8),
    memory: `${spec.memoryMiB ?? 32768}Mi`,
    pods: String(spec.pods ?? 110),
  };
  if ((spec.gpus ?? 0) > 0) {
    capacity["nvidia.com/gpu"] = String(spec.gpus);
  }
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: spec.name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        ...spec.labels,
        "kubernetes.io/hostname": spec.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    status: { capacity, allocatable: capacity },
  };
}
