/**
 * Who may reach a workload's ports. AIOS's datastores (the metrics Mongo, the redis queues) have no
 * authentication upstream; besides never being on a NodePort, they accept connections only from
 * the AIOS pods that use them. Enforced by any CNI that implements NetworkPolicy.
 */
import type * as k8s from "@pulumi/kubernetes";
import { CLUSTER_ID_LABEL } from "./labels";

type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Pods of the workload `name` in the same namespace. */
export function podsNamed(name: string): Peer {
  return { podSelector: { matchLabels: { "app.kubernetes.io/name": name } } };
}

/** Any pod in a namespace of this AIOS cluster (they carry its cluster-id label). */
export function aiosNamespaces(clusterId: string): Peer {
  return { namespaceSelector: { matchLabels: { [CLUSTER_ID_LABEL]: clusterId } } };
}

/** Allows the named ports from the given peers (from anywhere when none are given). */
export function allow(ports: readonly string[], from: readonly Peer[] = []): IngressRule {
  return {
    ports: ports.map((port) => ({ port, protocol: "TCP" })),
    ...(from.length === 0 ? {} : { from: [...from] }),
  };
}
