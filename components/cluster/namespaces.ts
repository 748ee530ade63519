/**
 * The AIOS namespaces. Their names are fixed because AIOS services address each other by them
 * (`metrics-writer-svc.metrics.svc.cluster.local`, `<block>-executor-svc.blocks…`).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "../k8s/labels";

/** The namespaces of an AIOS worker cluster. */
export const AIOS_NAMESPACES = ["blocks", "controllers", "metrics", "vdags"] as const;

/** The component type of {@link AiosNamespaces}. */
export const NAMESPACES_TYPE = "aios-infra:cluster:Namespaces";

/** Arguments of {@link AiosNamespaces}. */
export interface AiosNamespacesArgs {
  /** The AIOS cluster id, set as `aios.io/cluster-id` on every namespace. */
  readonly clusterId: string;
  /** Namespaces to create. @default AIOS_NAMESPACES */
  readonly names?: readonly string[];
}

/** The metadata of one AIOS namespace. */
export function namespaceMetadata(
  name: string,
  clusterId: string,
): k8s.types.input.meta.v1.ObjectMeta {
  return { name, labels: recommendedLabels({ name, component: "namespace", clusterId }) };
}

/** Creates the AIOS namespaces with the recommended labels. */
export class AiosNamespaces extends pulumi.ComponentResource {
  /** Namespace names, in creation order, resolved once each namespace exists. */
  public readonly names: pulumi.Output<string[]>;
  /** The Namespace resources by name, for `dependsOn` and `parent` wiring. */
  public readonly byName: Readonly<Record<string, k8s.core.v1.Namespace>>;

  constructor(name: string, args: AiosNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NAMESPACES_TYPE, name, {}, opts);
    const names = args.names ?? AIOS_NAMESPACES;
    const byName: Record<string, k8s.core.v1.Namespace> = {};
    for (const ns of names) {
      byName[ns] = new k8s.core.v1.Namespace(
        `${name}-${ns}`,
        { metadata: namespaceMetadata(ns, args.clusterId) },
        { parent: this },
      );
    }
    this.byName = byName;
    this.names = pulumi.all(Object.values(byName).map((n) => n.metadata.name));
    this.registerOutputs({ names: this.names });
  }
}
