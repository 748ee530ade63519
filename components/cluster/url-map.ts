/**
 * The cluster's `config.urlMap`: where the network reaches the cluster's services. Values are
 * plain strings in both routing modes (upstream writes some as one-element lists, aios-spec
 * §1.5.5), all built from `config.publicHostname` and the NodePort plan.
 */
import type { NodePortPlan } from "./ports";

/** The urlMap keys AIOS reads. */
export interface UrlMap {
  readonly controllerService: string;
  readonly metricsService: string;
  readonly blocksQuery: string;
  readonly publicGateway: string;
  readonly parameterUpdater: string;
  readonly membershipServer: string;
}

/** Gateway path prefixes, one per routed service (the gateway's Mappings use the same). */
export const GATEWAY_PREFIXES = {
  controllerService: "/controller",
  metricsService: "/metrics",
  blocksQuery: "/blocks",
  parameterUpdater: "/mgmt",
} as const;

/**
 * Builds the urlMap. With `useGateway` the controller, metrics, blocks and mgmt services are
 * reached through the gateway's http NodePort and their path prefixes; otherwise through their own
 * NodePorts. `publicGateway` is the grpc-proxy in both modes: its consumers (the adhoc inference
 * server) speak the grpc-proxy's protocol. The membership server has no gateway route and is
 * always reached on its own NodePort (upstream leaves it undefined in gateway mode).
 */
export function buildUrlMap(
  publicHostname: string,
  useGateway: boolean,
  ports: NodePortPlan,
): UrlMap {
  const at = (port: number | undefined, prefix = "") => {
    if (port === undefined) {
      throw new Error("the NodePort plan lacks a port the urlMap needs");
    }
    return `http://${publicHostname}:${port}${prefix}`;
  };
  const viaGateway = (prefix: string) => at(ports.gatewayHttp, prefix);
  return {
    controllerService: useGateway
      ? viaGateway(GATEWAY_PREFIXES.controllerService)
      : at(ports.controllerInfra),
    metricsService: useGateway ? viaGateway(GATEWAY_PREFIXES.metricsService) : at(ports.metrics),
    blocksQuery: useGateway
      ? viaGateway(GATEWAY_PREFIXES.blocksQuery)
      : at(ports.blockTransactions),
    publicGateway: at(ports.grpcProxy),
    parameterUpdater: useGateway ? viaGateway(GATEWAY_PREFIXES.parameterUpdater) : at(ports.mgmt),
    membershipServer: at(ports.membership),
  };
}
