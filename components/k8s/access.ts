/**
 * Least-privilege API access of the cluster services, as data. Upstream binds the `default`
 * ServiceAccount of every AIOS namespace to `cluster-admin` (aios-spec §1.5.1); here each
 * workload has its own ServiceAccount and only the verbs its code uses, named explicitly (no
 * wildcards), scoped to the namespaces it works in. Workloads that never call the API get no
 * token at all.
 */
import type * as k8s from "@pulumi/kubernetes";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** Read verbs. */
export const READ = ["get", "list", "watch"] as const;
/** Read and write verbs (never `*`). */
export const MANAGE = [...READ, "create", "update", "patch", "delete"] as const;

/** A workload's access: rules per namespace and cluster-wide. */
export interface Access {
  /** Rules granted in each namespace (a Role and RoleBinding per namespace). @default {} */
  readonly namespaced?: Readonly<Record<string, readonly PolicyRule[]>>;
  /** Rules granted cluster-wide (a ClusterRole), for cluster-scoped kinds only. @default [] */
  readonly cluster?: readonly PolicyRule[];
}

/** Whether the access grants anything (else the pod gets no API token). */
export function grantsAnything(access: Access | undefined): boolean {
  return (
    (access?.cluster?.length ?? 0) > 0 ||
    Object.values(access?.namespaced ?? {}).some((rules) => rules.length > 0)
  );
}

/** A rule for one API group; `resourceNames` limits it to those objects. */
export function rule(
  apiGroup: string,
  resources: readonly string[],
  verbs: readonly string[],
  resourceNames?: readonly string[],
) {
  return {
    apiGroups: [apiGroup],
    resources: [...resources],
    verbs: [...verbs],
    ...(resourceNames === undefined ? {} : { resourceNames: [...resourceNames] }),
  };
}

/**
 * What the cluster controller (infra, monitor and health share its pod) manages where blocks and
 * vDAG controllers run: their Deployments, Services, autoscalers, init-container Jobs and
 * GRPCRoutes; it reads and removes failed pods (monitor) and reads logs.
 */
export const BLOCK_WORKLOAD_RULES: readonly PolicyRule[] = [
  rule("", ["services", "configmaps"], MANAGE),
  rule("", ["pods"], [...READ, "delete"]),
  rule("", ["pods/log"], ["get"]),
  rule("apps", ["deployments"], MANAGE),
  rule("autoscaling", ["horizontalpodautoscalers"], MANAGE),
  rule("batch", ["jobs"], MANAGE),
  rule("gateway.networking.k8s.io", ["grpcroutes"], MANAGE),
];

/** Reads nodes (their `nodeID` labels, capacity and conditions). */
export const NODE_READER_RULES: readonly PolicyRule[] = [rule("", ["nodes"], READ)];

/** Labels nodes as they join (membership-server). */
export const NODE_LABELLER_RULES: readonly PolicyRule[] = [rule("", ["nodes"], [...READ, "patch"])];

/** Creates bootstrap-token Secrets in kube-system for node joins (membership-server). */
export const BOOTSTRAP_TOKEN_RULES: readonly PolicyRule[] = [rule("", ["secrets"], ["create"])];
