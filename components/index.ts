/** The public surface of the components. */
export { AiosNamespaces, AIOS_NAMESPACES, namespaceMetadata } from "./cluster/namespaces";
export type { AiosNamespacesArgs } from "./cluster/namespaces";
export { NodeLabels, nodeLabelPatchMetadata, gpuInfoAnnotation } from "./cluster/node-labels";
export { buildUrlMap, GATEWAY_PREFIXES } from "./cluster/url-map";
export type { UrlMap } from "./cluster/url-map";
export {
  planNodePorts,
  ADDON_NODE_PORTS,
  CLUSTER_NODE_PORTS,
  DEFAULT_NODE_PORTS,
  DEFAULT_NODE_PORT_RANGE,
} from "./cluster/ports";
export type { NodePortPlan, NodePortClaim } from "./cluster/ports";
export type { NodeLabelsArgs } from "./cluster/node-labels";
export {
  loadStackConfig,
  loadStackConfigOrReport,
  parseStackConfig,
  stackConfigSchema,
  CONFIG_NAMESPACE,
} from "./config/stack-config";
export type { StackConfig, ResolvedNode, ProgramConfig } from "./config/stack-config";
export { parseBlocksStackConfig } from "./config/blocks-stack-config";
export type { BlocksStackConfig } from "./config/blocks-stack-config";
export { Blocks } from "./blocks/blocks";
export type { BlocksArgs } from "./blocks/blocks";
export { readClusterStack } from "./config/cluster-stack-reference";
export { ConfigError } from "./config/config-errors";
export { recommendedLabels, CLUSTER_ID_LABEL, NODE_ID_LABEL } from "./k8s/labels";
export { ClusterServices } from "./cluster/cluster-services";
export type { ClusterServicesArgs } from "./cluster/cluster-services";
export { clusterServiceSpecs } from "./cluster/cluster-service-specs";
export { Gateway } from "./cluster/gateway/gateway";
export type { GatewayArgs } from "./cluster/gateway/gateway";
export { Workload } from "./cluster/workload";
export type { WorkloadArgs } from "./cluster/workload";
export { ThirdPartyBlock } from "./blocks/third-party-block";
export type { ThirdPartyBlockArgs } from "./blocks/third-party-block";
export { InitContainer } from "./blocks/lifecycle/init-container";
export type { InitContainerArgs } from "./blocks/lifecycle/init-container";
export { ClusterRegistration, ClusterUrlMap } from "./aios-api/cluster-registration";
export { aiosEndpoints, registeredDocument } from "./aios-api/registered-document";
export { DelegatedClusterInfra } from "./aios-api/delegated-infra";
export { Addons } from "./addons/addons";
export type { AddonsArgs } from "./addons/addons";
export { executorRoute } from "./addons/policy-executor-specs";
export { enabledAddons } from "./addons/addon-plan";
export { GeneratedSecret } from "./k8s/generated-secret";
