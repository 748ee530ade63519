/**
 * The aios-infra program: config → components → outputs. Wiring only; every manifest is built in
 * components/. Run it with `npm start` (embedded local cluster) or `pulumi up` on a stack.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  AIOS_NAMESPACES,
  AiosNamespaces,
  buildUrlMap,
  ClusterServices,
  CONFIG_NAMESPACE,
  Gateway,
  loadStackConfigOrReport,
  NodeLabels,
  ThirdPartyBlock,
} from "./components";

export = async (): Promise<Record<string, unknown>> => {
  const config = await loadStackConfigOrReport();
  if (config === undefined) {
    return {};
  }
  // With no kubeconfig in stack config the provider uses $KUBECONFIG (the embedded local cluster
  // that `npm start` runs). The cluster identifier keeps a kubeconfig change from replacing
  // every object as long as it is the same cluster.
  const provider = new k8s.Provider("k8s", {
    kubeconfig: new pulumi.Config(CONFIG_NAMESPACE).getSecret("kubeconfig"),
    clusterIdentifier: `aios-${config.clusterId}`,
    enableServerSideApply: true,
  });
  const opts = { providers: [provider] };
  const namespaces = new AiosNamespaces("aios", { clusterId: config.clusterId }, opts);
  const nodes = new NodeLabels("nodes", { clusterId: config.clusterId, nodes: config.nodes }, opts);
  const useGateway = config.cluster.config.useGateway;
  const gateway = config.gateway.enabled
    ? new Gateway(
        "gateway",
        {
          clusterId: config.clusterId,
          settings: config.gateway,
          nodePorts: config.nodePorts,
          projectDir: __dirname,
          routeClusterServices: useGateway,
        },
        opts,
      )
    : undefined;
  const services = new ClusterServices(
    "services",
    {
      clusterId: config.clusterId,
      settings: config.cluster.config,
      network: config.network,
      images: config.images,
      nodePorts: config.nodePorts,
      metricsStorage: config.metricsStorage,
    },
    { ...opts, dependsOn: [namespaces] },
  );
  // The namespaces blocks' systems live in, other than the AIOS ones.
  const blockNamespaceNames = [...new Set(config.blocks.map((b) => b.namespace))].filter(
    (ns) => !(AIOS_NAMESPACES as readonly string[]).includes(ns),
  );
  const blockNamespaces =
    blockNamespaceNames.length === 0
      ? []
      : [
          new AiosNamespaces(
            "block-namespaces",
            { clusterId: config.clusterId, names: blockNamespaceNames },
            opts,
          ),
        ];
  const blocks = config.blocks.map((block) => {
    const component = new ThirdPartyBlock(
      `block-${block.id}`,
      { block, clusterId: config.clusterId, network: config.network, projectDir: __dirname },
      { ...opts, dependsOn: [namespaces, ...blockNamespaces, services] },
    );
    return [block.id, { urls: component.urls, initStatus: component.initStatus }] as const;
  });
  return {
    clusterId: config.clusterId,
    environment: config.environment,
    namespaces: namespaces.names,
    gatewayRoutes: gateway?.routes ?? [],
    workloads: services.workloads,
    blocks: Object.fromEntries(blocks),
    nodeIds: nodes.nodeIds,
    nodePorts: config.nodePorts,
    urlMap: buildUrlMap(config.cluster.config.publicHostname, useGateway, config.nodePorts),
  };
};
