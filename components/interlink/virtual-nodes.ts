/**
 * The stack's interLink virtual nodes: the `interlink` namespace and one {@link VirtualNode} per
 * `aios-infra:virtualNodes` entry.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceMetadata } from "../cluster/namespaces";
import { VirtualNode } from "./virtual-node";
import type { InterlinkCredential } from "./virtual-node-settings";
import { INTERLINK_NAMESPACE, type VirtualNodeContext } from "./virtual-node-specs";

/** One virtual node to declare. */
export interface VirtualNodeEntry {
  readonly nodeId: string;
  readonly context: VirtualNodeContext;
}

/** Arguments of {@link VirtualNodes}. */
export interface VirtualNodesArgs {
  readonly clusterId: string;
  readonly nodes: readonly VirtualNodeEntry[];
  /** `aios-infra:interlinkCredentials` (a secret), by node id. @default - none */
  readonly credentials?: pulumi.Output<Readonly<Record<string, InterlinkCredential>>>;
}

/** The virtual nodes, by AIOS node id. */
export class VirtualNodes extends pulumi.ComponentResource {
  /** Node id → its node name and the placement a pod needs to run there. */
  public readonly nodes: pulumi.Output<Record<string, { nodeName: string; placement: unknown }>>;

  constructor(name: string, args: VirtualNodesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:interlink:VirtualNodes", name, {}, opts);
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: namespaceMetadata(INTERLINK_NAMESPACE, args.clusterId) },
      { parent: this },
    );
    const out: Record<string, pulumi.Output<{ nodeName: string; placement: unknown }>> = {};
    for (const entry of args.nodes) {
      const credential =
        entry.context.settings.backend.mode === "remote" && args.credentials !== undefined
          ? args.credentials.apply((c) => c[entry.nodeId])
          : undefined;
      const node = new VirtualNode(
        `${name}-${entry.nodeId}`,
        {
          context: entry.context,
          nodeId: entry.nodeId,
          ...(credential === undefined ? {} : { credential }),
        },
        { parent: this, dependsOn: [ns] },
      );
      out[entry.nodeId] = pulumi
        .all([node.nodeName, node.placement])
        .apply(([nodeName, placement]) => ({ nodeName, placement }));
    }
    this.nodes = pulumi.all(out);
    this.registerOutputs({ nodes: this.nodes });
  }
}
