/**
 * The Ambassador/Emissary gateway: namespace `ambassador`, the pinned chart as a helm.v4.Chart (so
 * every object is previewed, diffed and policy-checked), http and https on their planned
 * NodePorts, and the Mappings: the cluster services' when the cluster routes through the gateway,
 * and the add-ons' routes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartReference, helmChartArgs } from "../../k8s/chart-source";
import {
  GATEWAY_NAMESPACE,
  GATEWAY_RELEASE,
  gatewayRoutes,
  gatewayValues,
  isLabelledKind,
  mappingSpec,
  withChartObjectLabels,
  withServiceAwaitSkipped,
  type GatewayRoute,
} from "./gateway-specs";
import type { GatewaySettings } from "./gateway-settings";
import { clusterScopedKind, type ClusterScopedObject } from "../../operations/managed-scope";
import { recommendedLabels } from "../../k8s/labels";
import { namespaceMetadata } from "../namespaces";
import type { NodePortPlan } from "../ports";

/** Arguments of {@link Gateway}. */
export interface GatewayArgs {
  /** The AIOS cluster id (labels). */
  readonly clusterId: string;
  /** Chart, Mapping API version, replicas and extra values. */
  readonly settings: GatewaySettings;
  /** The stack's NodePort plan (`gatewayHttp`, `gatewayHttps`). */
  readonly nodePorts: NodePortPlan;
  /** Directory local chart paths are relative to. */
  readonly projectDir: string;
  /** Create the Mappings of the cluster services (`config.useGateway`). @default false */
  readonly routeClusterServices?: boolean;
  /** Further routes (the add-ons'), Mappings like the cluster services'. @default [] */
  readonly extraRoutes?: readonly GatewayRoute[];
}

/** The gateway of one AIOS cluster. */
export class Gateway extends pulumi.ComponentResource {
  /** The gateway's namespace. */
  public readonly namespace: pulumi.Output<string>;
  /** Path prefixes routed through the gateway (empty unless the cluster uses it). */
  public readonly routes: pulumi.Output<string[]>;
  /** The chart's cluster-scoped objects (CRDs, ClusterRoles and their bindings). */
  public readonly clusterScoped: pulumi.Output<ClusterScopedObject[]>;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:cluster:Gateway", name, {}, opts);
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: namespaceMetadata(GATEWAY_NAMESPACE, args.clusterId) },
      { parent: this },
    );
    const ref = chartReference(args.settings.chart, args.projectDir);
    const chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      {
        name: GATEWAY_RELEASE,
        namespace: ns.metadata.name,
        ...helmChartArgs(ref),
        values: gatewayValues(args.settings, args.nodePorts),
      },
      {
        parent: this,
        dependsOn: [ns],
        // The chart's objects get the stack's labels too (selectors and pod templates untouched).
        transforms: [
          (t) =>
            isLabelledKind(t.type)
              ? {
                  props:
                    t.type === "kubernetes:core/v1:Service"
                      ? withServiceAwaitSkipped(withChartObjectLabels(t.props, args.clusterId))
                      : withChartObjectLabels(t.props, args.clusterId),
                  opts: t.opts,
                }
              : undefined,
        ],
      },
    );
    const routes = [
      ...(args.routeClusterServices === true ? gatewayRoutes(args.clusterId) : []),
      ...(args.extraRoutes ?? []),
    ];
    const mappings = routes.map(
      (route) =>
        new k8s.apiextensions.CustomResource(
          `${name}-mapping-${route.name}`,
          {
            apiVersion: args.settings.mappingApiVersion,
            kind: "Mapping",
            metadata: {
              name: `aios-${route.name}`,
              namespace: ns.metadata.name,
              labels: recommendedLabels({
                name: `aios-${route.name}`,
                component: "gateway-route",
                clusterId: args.clusterId,
              }),
            },
            spec: mappingSpec(route, args.settings.mappingApiVersion),
          },
          // The Mapping CRD comes with the chart.
          {
            parent: this,
            dependsOn: chart.resources.apply((r) => (r as pulumi.Resource[] | undefined) ?? []),
          },
        ),
    );
    this.namespace = ns.metadata.name;
    this.clusterScoped = chart.resources
      .apply((r) =>
        pulumi.all(((r as pulumi.Resource[] | undefined) ?? []).map(clusterScopedObject)),
      )
      .apply((objects) => objects.filter((o): o is ClusterScopedObject => o !== undefined));
    this.routes = pulumi
      .all(mappings.map((m) => m.metadata.name))
      .apply(() => routes.map((r) => r.prefix));
    this.registerOutputs({
      namespace: this.namespace,
      routes: this.routes,
      clusterScoped: this.clusterScoped,
    });
  }
}

/** A chart object's kind, name and (ClusterRoles) rules, when it is cluster-scoped. */
function clusterScopedObject(
  resource: pulumi.Resource,
): pulumi.Output<ClusterScopedObject | undefined> {
  const object = resource as unknown as {
    metadata?: pulumi.Output<{ name?: string }>;
    rules?: pulumi.Output<ClusterScopedObject["rules"]>;
  };
  return pulumi
    .all([resource.urn, object.metadata, object.rules])
    .apply(([urn, metadata, rules]) => {
      const kind = clusterScopedKind(urn);
      return kind === undefined || metadata?.name === undefined
        ? undefined
        : { kind, name: metadata.name, ...(rules === undefined ? {} : { rules }) };
    });
}
