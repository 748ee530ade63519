/**
 * The aios-infra program: config → components → outputs. Wiring only; every manifest is built in
 * components/. Run it with `npm start` (embedded local cluster) or `pulumi up` on a stack.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  AiosNamespaces,
  buildUrlMap,
  ClusterServices,
  CONFIG_NAMESPACE,
  Gateway,
  loadStackConfigOrReport,
  NodeLabels,
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
  return {
    clusterId: config.clusterId,
    environment: config.environment,
    namespaces: namespaces.names,
    gatewayRoutes: gateway?.routes ?? [],
    workloads: services.workloads,
    nodeIds: nodes.nodeIds,
    nodePorts: config.nodePorts,
    urlMap: buildUrlMap(config.cluster.config.publicHostname, useGateway, config.nodePorts),
  };
};
