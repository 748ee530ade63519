/**
 * The Pulumi Kubernetes Operator, installed from its pinned Helm chart. The chart's CRDs (the
 * Stack CRD alone is 1.5 MB) are applied with server-side apply by the provider, which client-side
 * `kubectl apply` cannot do (pulumi-kubernetes-operator#750). The operator is cluster-wide: one
 * per cluster, installed from an operations stack, never from a stack it reconciles.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartReference, helmChartArgs } from "../k8s/chart-source";
import { recommendedLabels } from "../k8s/labels";
import type { OperatorSettings } from "./self-healing-settings";

/** The operator's Helm release name. */
export const OPERATOR_RELEASE = "pulumi-kubernetes-operator";

/** Arguments of {@link PulumiOperator}. */
export interface PulumiOperatorArgs {
  /** The cluster id, labelled on the namespace. */
  readonly clusterId: string;
  /** Chart, namespace and extra values. */
  readonly settings: OperatorSettings;
  /** Local chart paths are relative to it. */
  readonly projectDir: string;
}

/** Installs the Pulumi Kubernetes Operator (its namespace, CRDs, RBAC and Deployment). */
export class PulumiOperator extends pulumi.ComponentResource {
  /** The operator's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** Every object of the chart, CRDs included: Stacks wait for them. */
  public readonly resources: pulumi.Output<pulumi.Resource[]>;

  constructor(name: string, args: PulumiOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:operations:PulumiOperator", name, {}, opts);
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: args.settings.namespace,
          labels: recommendedLabels({
            name: OPERATOR_RELEASE,
            component: "operator",
            clusterId: args.clusterId,
          }),
        },
      },
      { parent: this },
    );
    const ref = chartReference(args.settings.chart, args.projectDir);
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: OPERATOR_RELEASE,
        namespace: ns.metadata.name,
        ...helmChartArgs(ref),
        values: { ...args.settings.values },
      },
      { parent: this, dependsOn: [ns] },
    );
    this.namespace = ns.metadata.name;
    this.resources = chart.resources.apply((r) => (r as pulumi.Resource[] | undefined) ?? []);
    this.registerOutputs({ namespace: this.namespace, resources: this.resources });
  }
}
