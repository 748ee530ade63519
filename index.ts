/**
 * The aios-infra program: config → components → outputs. Wiring only; every manifest is built in
 * components/. Run it with `npm start` (embedded local cluster) or `pulumi up` on a stack.
 *
 * A cluster stack brings one cluster to the AIOS state; a blocks-only stack (with
 * `aios-infra:clusterStack`) deploys third-party blocks onto the cluster of a cluster stack; an
 * operations stack (with `aios-infra:selfHealing`) has the Pulumi Kubernetes Operator keep a
 * cluster stack in its desired state.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  Addons,
  aiosEndpoints,
  AiosNamespaces,
  Blocks,
  buildUrlMap,
  ClusterRegistration,
  ClusterServices,
  ClusterUrlMap,
  CONFIG_NAMESPACE,
  ConfigError,
  DelegatedClusterInfra,
  enabledAddons,
  executorRoute,
  Gateway,
  loadStackConfigOrReport,
  NodeLabels,
  readClusterStack,
  registeredDocument,
  type BlocksStackConfig,
  type ResolvedNode,
  type StackConfig,
} from "./components";
import { clusterServiceSpecs } from "./components/cluster";
import { blockPlacements } from "./components/interlink";
import { virtualNodeWorkload } from "./components/interlink";
import { selfHealingSecretsProblems, type OperationsStackConfig } from "./components/config";
import { managedScope } from "./components/operations";
import { PulumiOperator } from "./components/operations";
import { readReconciledCluster } from "./components/config";
import { ReconciledStack } from "./components/operations";
import { useFastStackProbes } from "./components/runtime";
import { selfHealingSecretsSchema } from "./components/operations";
import type { InterlinkCredential } from "./components/interlink";
import { VirtualNodes, type VirtualNodeEntry } from "./components/interlink";

/** The Kubernetes provider of the stack's cluster. */
function clusterProvider(clusterId: string, inCluster = false): k8s.Provider {
  // With no kubeconfig in stack config the provider uses $KUBECONFIG (the embedded local cluster
  // that `npm start` runs), or in a pod (the operator's workspace) the pod's ServiceAccount. The
  // cluster identifier keeps a kubeconfig change from replacing every object as long as it is
  // the same cluster.
  return new k8s.Provider("k8s", {
    kubeconfig: inCluster ? undefined : new pulumi.Config(CONFIG_NAMESPACE).getSecret("kubeconfig"),
    clusterIdentifier: `aios-${clusterId}`,
    enableServerSideApply: true,
  });
}

function clusterStack(config: StackConfig): Record<string, unknown> {
  const opts = {
    providers: [clusterProvider(config.clusterId, config.clusterAccess === "in-cluster")],
  };
  const namespaces = new AiosNamespaces("aios", { clusterId: config.clusterId }, opts);
  // Real nodes get their labels patched; virtual nodes are Node objects the stack creates.
  const nodes = new NodeLabels(
    "nodes",
    { clusterId: config.clusterId, nodes: config.nodes.filter((n) => !n.virtual) },
    opts,
  );
  const virtualNodes =
    config.virtualNodes.length === 0
      ? undefined
      : new VirtualNodes(
          "virtual-nodes",
          {
            clusterId: config.clusterId,
            nodes: virtualNodeEntries(config),
            credentials: new pulumi.Config(CONFIG_NAMESPACE).getSecretObject<
              Record<string, InterlinkCredential>
            >("interlinkCredentials"),
          },
          opts,
        );
  const useGateway = config.cluster.config.useGateway;
  const addonContext = {
    clusterId: config.clusterId,
    publicHostname: config.cluster.config.publicHostname,
    network: config.network,
    images: config.images,
    nodePorts: config.nodePorts,
  };
  const executor = config.addons.policyExecutor;
  const gateway = config.gateway.enabled
    ? new Gateway(
        "gateway",
        {
          clusterId: config.clusterId,
          settings: config.gateway,
          nodePorts: config.nodePorts,
          projectDir: __dirname,
          routeClusterServices: useGateway,
          extraRoutes: executor === undefined ? [] : [executorRoute(addonContext, executor)],
        },
        opts,
      )
    : undefined;
  const endpoints = aiosEndpoints(config.network);
  const clusterDocument = registeredDocument(
    config.cluster,
    config.virtualNodes.map((v) => v.nodeId),
  );
  const registration = config.register
    ? new ClusterRegistration("registration", {
        endpoints,
        clusterId: config.clusterId,
        document: clusterDocument,
      })
    : undefined;
  // The cluster services: declared here, or created by the network's gateway.
  const servicesArgs = {
    clusterId: config.clusterId,
    settings: config.cluster.config,
    network: config.network,
    images: config.images,
    nodePorts: config.nodePorts,
    metricsStorage: config.metricsStorage,
  };
  const declared = config.infrastructure.mode === "declared";
  const services = declared
    ? new ClusterServices("services", servicesArgs, { ...opts, dependsOn: [namespaces] })
    : new DelegatedClusterInfra(
        "delegated-infra",
        {
          endpoints,
          clusterId: config.clusterId,
          timeoutSeconds: config.infrastructure.timeoutSeconds,
        },
        { dependsOn: [namespaces, ...(registration === undefined ? [] : [registration])] },
      );
  const blocks = new Blocks(
    "blocks",
    {
      blocks: config.blocks,
      clusterId: config.clusterId,
      network: config.network,
      projectDir: __dirname,
      registered: config.register,
      clusterDocument,
      ...(config.images.sdkEndpoint === undefined
        ? {}
        : { sdkEndpointImage: config.images.sdkEndpoint }),
      ownsDefaultNamespace: true,
      placements: blockPlacements(config.cluster, config.blocks, config.virtualNodes),
      after: [namespaces, services, ...(virtualNodes === undefined ? [] : [virtualNodes])],
    },
    opts,
  );
  const addons =
    enabledAddons(config.addons).length === 0
      ? undefined
      : new Addons(
          "addons",
          { context: addonContext, settings: config.addons, register: config.register, gateway },
          // Entries in the add-on registries name this cluster: registered first.
          { ...opts, dependsOn: registration === undefined ? [] : [registration] },
        );
  const urlMap = buildUrlMap(config.cluster.config.publicHostname, useGateway, config.nodePorts);
  if (registration !== undefined) {
    // The urlMap (plain strings) once the cluster's services and gateway are ready.
    new ClusterUrlMap(
      "url-map",
      { endpoints, clusterId: config.clusterId, urlMap: { ...urlMap } },
      { dependsOn: [registration, services, ...(gateway === undefined ? [] : [gateway])] },
    );
  }
  return {
    clusterId: config.clusterId,
    environment: config.environment,
    namespaces: namespaces.names,
    nodeIds: nodes.nodeIds,
    nodePorts: config.nodePorts,
    gatewayRoutes: gateway?.routes ?? [],
    workloads: services instanceof ClusterServices ? services.workloads : {},
    blocks: blocks.byId,
    addons: addons?.outputs ?? {},
    virtualNodes: virtualNodes?.nodes ?? {},
    // For blocks-only stacks that reference this one (plain URLs and documents, no secrets).
    network: config.network,
    registered: config.register,
    clusterDocument,
    urlMap,
    // For the operations stack that has the operator reconcile this one.
    managedScope: (gateway?.clusterScoped ?? pulumi.output([])).apply((chartObjects) =>
      managedScope({
        chartObjects,
        clusterId: config.clusterId,
        gateway: config.gateway.enabled,
        addons: config.addons,
        blocks: config.blocks,
        nodes: config.nodes.filter((n) => !n.virtual).map((n) => n.kubernetesNodeName),
        virtualNodes: config.nodes.filter((n) => n.virtual).map((n) => n.kubernetesNodeName),
        workloads: [
          ...(declared ? clusterServiceSpecs(servicesArgs) : []),
          ...virtualNodeEntries(config).map((e) => virtualNodeWorkload(e.context)),
        ],
      }),
    ),
  };
}

/** Each virtual node with what its objects are built from (the document node's resources). */
function virtualNodeEntries(config: StackConfig): VirtualNodeEntry[] {
  return config.virtualNodes.map((settings) => {
    const node = config.nodes.find((n) => n.id === settings.nodeId) as ResolvedNode;
    return {
      nodeId: settings.nodeId,
      context: {
        clusterId: config.clusterId,
        nodeId: settings.nodeId,
        nodeName: node.kubernetesNodeName,
        settings,
        documentNode: {
          vcpus: node.vcpus,
          memoryMB: node.memoryMB,
          gpuCount: node.gpuCount,
          ...(node.gpus[0] === undefined ? {} : { gpuModel: node.gpus[0].modelName }),
        },
      },
    };
  });
}

async function blocksOnlyStack(config: BlocksStackConfig): Promise<Record<string, unknown>> {
  const ref = new pulumi.StackReference("cluster-stack", { name: config.clusterStack });
  let cluster;
  try {
    cluster = await readClusterStack(ref, config.clusterStack);
  } catch (e) {
    if (e instanceof ConfigError) {
      await pulumi.log.error(e.message);
      return {};
    }
    throw e;
  }
  const opts = { providers: [clusterProvider(cluster.clusterId)] };
  const blocks = new Blocks(
    "blocks",
    {
      blocks: config.blocks,
      clusterId: cluster.clusterId,
      network: cluster.network,
      projectDir: __dirname,
      registered: cluster.registered,
      ...(cluster.document === undefined ? {} : { clusterDocument: cluster.document }),
      ...(config.images.sdkEndpoint === undefined
        ? {}
        : { sdkEndpointImage: config.images.sdkEndpoint }),
    },
    opts,
  );
  return {
    clusterId: cluster.clusterId,
    clusterStack: config.clusterStack,
    environment: config.environment,
    blocks: blocks.byId,
  };
}

/** An operations stack: the operator, and the Stack that has it reconcile a cluster stack. */
async function operationsStack(config: OperationsStackConfig): Promise<Record<string, unknown>> {
  const target = config.selfHealing.stack;
  const ref = new pulumi.StackReference("reconciled-stack", { name: target });
  let cluster;
  try {
    cluster = await readReconciledCluster(ref, target);
  } catch (e) {
    if (e instanceof ConfigError) {
      await pulumi.log.error(e.message);
      return {};
    }
    throw e;
  }
  const stackConfig = new pulumi.Config(CONFIG_NAMESPACE);
  const { environmentNames, gitAuth } = selfHealingSecretsProblems(
    stackConfig.requireObject("selfHealingSecrets"),
    config.selfHealing.source.repository,
  );
  const opts = { providers: [clusterProvider(cluster.clusterId)] };
  const operator = config.operator.install
    ? new PulumiOperator(
        "operator",
        { clusterId: cluster.clusterId, settings: config.operator, projectDir: __dirname },
        opts,
      )
    : undefined;
  const reconciled = new ReconciledStack(
    "self-healing",
    {
      context: {
        clusterId: cluster.clusterId,
        settings: config.selfHealing,
        scope: cluster.scope,
        environmentNames,
        gitAuth,
      },
      secrets: stackConfig
        .requireSecretObject<unknown>("selfHealingSecrets")
        .apply((raw) => selfHealingSecretsSchema.parse(raw)),
      ...(operator === undefined ? {} : { operator: operator.resources }),
    },
    opts,
  );
  return {
    clusterId: cluster.clusterId,
    environment: config.environment,
    reconciledStack: target,
    operatorNamespace: operator?.namespace ?? null,
    stackResource: reconciled.stackResource,
    serviceAccount: reconciled.serviceAccount,
  };
}

export = async (): Promise<Record<string, unknown>> => {
  useFastStackProbes();
  const config = await loadStackConfigOrReport();
  if (config === undefined) {
    return {};
  }
  switch (config.kind) {
    case "cluster":
      return clusterStack(config);
    case "blocks":
      return blocksOnlyStack(config);
    case "operations":
      return operationsStack(config);
  }
};
