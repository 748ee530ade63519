/**
 * One interLink virtual node: the Node object (the stack owns its labels and taints, so destroy
 * removes it — the virtual kubelet never deletes its node), the config files, the remote
 * credentials as a Secret, and the virtual kubelet's pod with its least-privilege access.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { recommendedLabels } from "../k8s/labels";
import { Workload } from "../cluster/workload";
import type { InterlinkCredential } from "./virtual-node-settings";
import {
  CA_FILE,
  CONFIG_FILE,
  derBase64,
  INTERLINK_NAMESPACE,
  interlinkConfig,
  virtualKubeletConfig,
  virtualNodeNames,
  virtualNodeObject,
  virtualNodePlacement,
  virtualNodeWorkload,
  type VirtualNodeContext,
} from "./virtual-node-specs";

/** Arguments of {@link VirtualNode}. */
export interface VirtualNodeArgs {
  readonly context: VirtualNodeContext;
  /** The AIOS node id (`nodeID` label). */
  readonly nodeId: string;
  /** The remote endpoint's credential (a secret). Required in `remote` mode. */
  readonly credential?: pulumi.Output<InterlinkCredential>;
}

/** A virtual node backed by interLink. */
export class VirtualNode extends pulumi.ComponentResource {
  /** The Kubernetes node name. */
  public readonly nodeName: pulumi.Output<string>;
  /** What a pod must carry to run there. */
  public readonly placement: pulumi.Output<ReturnType<typeof virtualNodePlacement>>;

  constructor(name: string, args: VirtualNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:interlink:VirtualNode", name, {}, opts);
    const { context: ctx, nodeId } = args;
    const s = ctx.settings;
    const names = virtualNodeNames(ctx.nodeName);
    const child = { parent: this };
    const labels = recommendedLabels({
      name: ctx.nodeName,
      component: "virtual-kubelet",
      clusterId: ctx.clusterId,
    });
    const meta = (objectName: string) => ({
      name: objectName,
      namespace: INTERLINK_NAMESPACE,
      labels,
    });

    const node = new k8s.core.v1.Node(`${name}-node`, virtualNodeObject(ctx, nodeId), child);
    const configs: pulumi.Resource[] = [
      new k8s.core.v1.ConfigMap(
        `${name}-vk-config`,
        {
          metadata: meta(names.vkConfig),
          data: { [CONFIG_FILE]: YAML.stringify(virtualKubeletConfig(ctx, nodeId)) },
          ...(s.backend.mode === "remote" && s.backend.caCertificate !== undefined
            ? { binaryData: { [CA_FILE]: derBase64(s.backend.caCertificate) } }
            : {}),
        },
        child,
      ),
    ];
    if (s.backend.mode === "in-cluster") {
      configs.push(
        new k8s.core.v1.ConfigMap(
          `${name}-interlink-config`,
          {
            metadata: meta(names.interlinkConfig),
            data: { [CONFIG_FILE]: YAML.stringify(interlinkConfig(s)) },
          },
          child,
        ),
      );
      if (s.backend.plugin.config !== undefined) {
        configs.push(
          new k8s.core.v1.Secret(
            `${name}-plugin-config`,
            {
              metadata: meta(names.pluginConfig),
              type: "Opaque",
              stringData: { "plugin.yaml": s.backend.plugin.config },
            },
            child,
          ),
        );
      }
    } else {
      if (args.credential === undefined) {
        throw new Error(
          `virtual node ${nodeId}: remote mode needs its credential in aios-infra:interlinkCredentials`,
        );
      }
      configs.push(
        new k8s.core.v1.Secret(
          `${name}-credentials`,
          {
            metadata: meta(names.credentials),
            type: "Opaque",
            stringData: pulumi.secret(args.credential).apply(credentialFiles),
          },
          child,
        ),
      );
    }
    new Workload(`${name}-kubelet`, virtualNodeWorkload(ctx), {
      parent: this,
      dependsOn: [node, ...configs],
    });
    this.nodeName = node.metadata.name;
    this.placement = pulumi.output(virtualNodePlacement(ctx.nodeName, s));
    this.registerOutputs({ nodeName: this.nodeName, placement: this.placement });
  }
}

/** The credential's files in the Secret: `token`, or `tls.crt`, `tls.key` and `ca.crt`. */
export function credentialFiles(c: InterlinkCredential): Record<string, string> {
  if ("token" in c) {
    return { token: c.token };
  }
  return {
    "tls.crt": c.clientCertificate,
    "tls.key": c.clientKey,
    "ca.crt": c.caCertificate,
  };
}
