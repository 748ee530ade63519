/**
 * Pure specs of the gateway: the chart reference, the chart values (service ports from the
 * NodePort plan: http and https on their own NodePorts, upstream's docs put both on 32000) and the
 * Mappings that route `/controller`, `/metrics`, `/blocks` and `/mgmt` to the cluster services
 * (upstream's annotation Mappings do not parse and point `/blocks` at the wrong port, aios-spec
 * §1.5.6).
 */
import { recommendedLabels } from "../../k8s/labels";
import type { GatewaySettings, MappingApiVersion } from "./gateway-settings";
import type { NodePortPlan } from "../ports";
import {
  CONTAINER_PORTS,
  controllerServiceName,
  SERVICE_NAMES,
  SERVICE_NAMESPACES,
} from "../service-endpoints";
import { GATEWAY_PREFIXES } from "../url-map";
import { SERVICE_ANNOTATIONS } from "../../k8s/workload-specs";

/** The gateway's namespace and Helm release name. */
export const GATEWAY_NAMESPACE = "ambassador";
export const GATEWAY_RELEASE = "ambassador";

/** Ambassador's listener ports inside its pods (the chart's defaults). */
export const GATEWAY_TARGET_PORTS = { http: 8080, https: 8443 } as const;

/** Is `v` a plain object (not an array)? */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep-merges `over` into `base` (objects merge, everything else is replaced). */
export function mergeValues(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isRecord(b) && isRecord(v) ? mergeValues(b, v) : v;
  }
  return out;
}

/**
 * The chart values: ours (replicas, resources, no AES, no test pod, CRDs that destroy removes, the
 * admin port internal), the operator's `values` over them, and the service from the plan last.
 */
export function gatewayValues(
  settings: GatewaySettings,
  ports: NodePortPlan,
): Record<string, unknown> {
  const ours = {
    replicaCount: settings.replicas,
    enableAES: false,
    crds: { enabled: true, create: true, keep: false },
    test: { enabled: false },
    adminService: { create: true, type: "ClusterIP" },
    resources: {
      requests: { cpu: "200m", memory: "300Mi" },
      limits: { cpu: "1000m", memory: "600Mi" },
    },
  };
  return {
    ...mergeValues(ours, settings.values),
    service: {
      type: "NodePort",
      ports: [
        {
          name: "http",
          port: 80,
          targetPort: GATEWAY_TARGET_PORTS.http,
          nodePort: ports.gatewayHttp,
        },
        {
          name: "https",
          port: 443,
          targetPort: GATEWAY_TARGET_PORTS.https,
          nodePort: ports.gatewayHttps,
        },
      ],
    },
  };
}

/** Whether a chart-rendered type is a Kubernetes object whose metadata the stack labels. */
export function isLabelledKind(type: string): boolean {
  return type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/");
}

/**
 * A chart object's properties with the stack's labels added to its own metadata (the chart's
 * values win where both set one, e.g. `app.kubernetes.io/managed-by: Helm`): the gateway is part
 * of this AIOS cluster for selectors, policies and `kubectl get -l aios.io/cluster-id=<id>`.
 */
export function withChartObjectLabels(
  props: Record<string, unknown>,
  clusterId: string,
): Record<string, unknown> {
  const metadata = (props.metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  const ours = recommendedLabels({
    name: metadata.labels?.["app.kubernetes.io/name"] ?? metadata.name ?? GATEWAY_RELEASE,
    component: "gateway",
    clusterId,
    instance: GATEWAY_RELEASE,
  });
  return { ...props, metadata: { ...metadata, labels: { ...ours, ...metadata.labels } } };
}

/**
 * A chart Service's properties with {@link SERVICE_ANNOTATIONS} added (the chart's own annotations
 * win): the gateway's Deployment is awaited, so the Service's 10 s endpoint "settle" is not.
 */
export function withServiceAwaitSkipped(props: Record<string, unknown>): Record<string, unknown> {
  const metadata = (props.metadata ?? {}) as { annotations?: Record<string, string> };
  return {
    ...props,
    metadata: { ...metadata, annotations: { ...SERVICE_ANNOTATIONS, ...metadata.annotations } },
  };
}

/** One gateway route. */
export interface GatewayRoute {
  /** Mapping name. */
  readonly name: string;
  /** Path prefix, with a trailing slash (Ambassador strips it before forwarding). */
  readonly prefix: string;
  /** `host:port` of the target Service. */
  readonly service: string;
}

/** The routes of a gateway-routed cluster: the urlMap's path prefixes to their Services. */
export function gatewayRoutes(clusterId: string): GatewayRoute[] {
  const controller = `${controllerServiceName(clusterId)}.${SERVICE_NAMESPACES.controllers}`;
  const metrics = `${SERVICE_NAMES.metricsWriter}.${SERVICE_NAMESPACES.metrics}`;
  return [
    {
      name: "controller",
      prefix: `${GATEWAY_PREFIXES.controllerService}/`,
      service: `${controller}:${CONTAINER_PORTS.infra}`,
    },
    {
      name: "metrics",
      prefix: `${GATEWAY_PREFIXES.metricsService}/`,
      service: `${metrics}:${CONTAINER_PORTS.metricsApi}`,
    },
    {
      name: "blocks",
      prefix: `${GATEWAY_PREFIXES.blocksQuery}/`,
      service: `${controller}:${CONTAINER_PORTS.blockTransactions}`,
    },
    {
      name: "mgmt",
      prefix: `${GATEWAY_PREFIXES.parameterUpdater}/`,
      service: `${controller}:${CONTAINER_PORTS.parameterUpdater}`,
    },
  ];
}

/** A Mapping's spec for the API version (v3alpha1 needs a hostname to match). */
export function mappingSpec(route: GatewayRoute, apiVersion: MappingApiVersion) {
  return {
    ...(apiVersion === "getambassador.io/v3alpha1" ? { hostname: "*" } : {}),
    prefix: route.prefix,
    service: route.service,
  };
}
