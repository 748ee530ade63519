/** The public surface of the components. */
export { AiosNamespaces, AIOS_NAMESPACES, namespaceMetadata } from "./namespaces";
export type { AiosNamespacesArgs } from "./namespaces";
export { NodeLabels, nodeLabelPatchMetadata, gpuInfoAnnotation } from "./node-labels";
export { buildUrlMap, GATEWAY_PREFIXES } from "./url-map";
export type { UrlMap } from "./url-map";
export {
  planNodePorts,
  ADDON_NODE_PORTS,
  CLUSTER_NODE_PORTS,
  DEFAULT_NODE_PORTS,
  DEFAULT_NODE_PORT_RANGE,
} from "./ports";
export type { NodePortPlan, NodePortClaim } from "./ports";
export type { NodeLabelsArgs } from "./node-labels";
export {
  loadStackConfig,
  loadStackConfigOrReport,
  parseStackConfig,
  stackConfigSchema,
  CONFIG_NAMESPACE,
} from "./config";
export type { StackConfig, ResolvedNode, ProgramConfig } from "./config";
export { parseBlocksStackConfig } from "./blocks-stack-config";
export type { BlocksStackConfig } from "./blocks-stack-config";
export { Blocks } from "./blocks/blocks";
export type { BlocksArgs } from "./blocks/blocks";
export { readClusterStack } from "./blocks/cluster-stack";
export { ConfigError } from "./config-errors";
export { recommendedLabels, CLUSTER_ID_LABEL, NODE_ID_LABEL } from "./labels";
export { ClusterServices } from "./cluster-services";
export type { ClusterServicesArgs } from "./cluster-services";
export { clusterServiceSpecs } from "./cluster-service-specs";
export { Gateway } from "./gateway";
export type { GatewayArgs } from "./gateway";
export { Workload } from "./workload";
export type { WorkloadArgs } from "./workload";
export { ThirdPartyBlock } from "./blocks/third-party-block";
export type { ThirdPartyBlockArgs } from "./blocks/third-party-block";
export { InitContainer } from "./lifecycle/init-container";
export type { InitContainerArgs } from "./lifecycle/init-container";
export { ClusterRegistration, ClusterUrlMap } from "./aios-api/cluster-registration";
export { aiosEndpoints, registeredDocument } from "./aios-api/registered-document";
export { DelegatedClusterInfra } from "./aios-api/delegated-infra";
export { Addons } from "./addons/addons";
export type { AddonsArgs } from "./addons/addons";
export { executorRoute } from "./addons/policy-executor-specs";
export { enabledAddons } from "./addons/addon-plan";
export { GeneratedSecret } from "./secrets/generated-secret";
