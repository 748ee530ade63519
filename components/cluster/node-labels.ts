/**
 * The `nodeID` label AIOS schedules by, set on each configured Kubernetes node with a NodePatch
 * (server-side apply with a field manager of its own), so destroy removes exactly these labels and
 * leaves everything else on the node alone.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedNode } from "../config/stack-config";
import { CLUSTER_ID_LABEL, GPU_INFO_ANNOTATION, NODE_ID_LABEL } from "../k8s/labels";

/** Arguments of {@link NodeLabels}. */
export interface NodeLabelsArgs {
  /** The AIOS cluster id, set as `aios.io/cluster-id` on each node. */
  readonly clusterId: string;
  /** The nodes of the cluster document. */
  readonly nodes: readonly ResolvedNode[];
}

/** The `gpu.aios/info` value, formatted exactly as upstream's gpu_info.sh writes it. */
export function gpuInfoAnnotation(gpus: ResolvedNode["gpus"]): string {
  const entries = gpus.map(
    (g) => `{"modelName": ${JSON.stringify(g.modelName)}, "memory": ${Math.trunc(g.memory)}}`,
  );
  return `[${entries.join(", ")}]`;
}

/**
 * The patch metadata for one node: its name, the labels the stack owns on it and, on GPU nodes,
 * the `gpu.aios/info` annotation (a node without GPUs gets none, as upstream reads it).
 */
export function nodeLabelPatchMetadata(
  node: ResolvedNode,
  clusterId: string,
): k8s.types.input.meta.v1.ObjectMetaPatch {
  return {
    name: node.kubernetesNodeName,
    labels: { [NODE_ID_LABEL]: node.id, [CLUSTER_ID_LABEL]: clusterId },
    ...(node.gpus.length === 0
      ? {}
      : { annotations: { [GPU_INFO_ANNOTATION]: gpuInfoAnnotation(node.gpus) } }),
  };
}

/** Labels the cluster's nodes. */
export class NodeLabels extends pulumi.ComponentResource {
  /** AIOS node id by Kubernetes node name, as applied. */
  public readonly nodeIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: NodeLabelsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:cluster:NodeLabels", name, {}, opts);
    const patches = args.nodes.map(
      (node) =>
        new k8s.core.v1.NodePatch(
          `${name}-${node.id}`,
          { metadata: nodeLabelPatchMetadata(node, args.clusterId) },
          { parent: this },
        ),
    );
    this.nodeIds = pulumi
      .all(patches.map((p) => pulumi.all([p.metadata.name, p.metadata.labels])))
      .apply((pairs) =>
        Object.fromEntries(pairs.map(([node, labels]) => [node, labels[NODE_ID_LABEL] ?? ""])),
      );
    this.registerOutputs({ nodeIds: this.nodeIds });
  }
}
