/**
 * What a cluster stack manages on its cluster, as data: the namespaces it creates objects in, the
 * nodes it labels or creates, and the names of the cluster-scoped RBAC objects it owns. A cluster
 * stack exports it (`managedScope`); the operations stack reads it to grant the Pulumi Kubernetes
 * Operator's workspace exactly that, and no more.
 */
import { z } from "zod";
import { ADDON_NAMESPACES } from "../addons/addon-endpoints";
import type { AddonsSettings } from "../addons/addon-settings";
import { DEFAULT_BLOCK_NAMESPACE, type BlockSettings } from "../blocks/block-settings";
import { GATEWAY_NAMESPACE } from "../cluster/gateway/gateway-specs";
import { INTERLINK_NAMESPACE } from "../interlink/virtual-node-specs";
import { AIOS_NAMESPACES } from "../cluster/namespaces";
import { clusterRoleName, type WorkloadArgs } from "../cluster/workload";

const ruleSchema = z.strictObject({
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  verbs: z.array(z.string()),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
});

/** Cluster-scoped kinds a chart may bring, by Pulumi type token. */
export const CLUSTER_SCOPED_KINDS = [
  {
    kind: "CustomResourceDefinition",
    type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
  },
  { kind: "ClusterRole", type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole" },
  {
    kind: "ClusterRoleBinding",
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  },
] as const;

/**
 * The cluster-scoped kind of the resource with this URN, if it is one of
 * {@link CLUSTER_SCOPED_KINDS}: `urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>`.
 */
export function clusterScopedKind(urn: string): ClusterScopedObject["kind"] | undefined {
  const type = urn.split("::")[2]?.split("$").pop();
  return CLUSTER_SCOPED_KINDS.find((k) => k.type === type)?.kind;
}

/** A cluster-scoped object a chart brings (the rules of a ClusterRole). */
export interface ClusterScopedObject {
  readonly kind: (typeof CLUSTER_SCOPED_KINDS)[number]["kind"];
  readonly name: string;
  readonly rules?: readonly {
    readonly apiGroups?: readonly string[];
    readonly resources?: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
    readonly nonResourceURLs?: readonly string[];
  }[];
}

/** `managedScope`, as exported by a cluster stack and read back by an operations stack. */
export const managedScopeSchema = z.strictObject({
  /** Namespaces the stack creates and fills. */
  namespaces: z.array(z.string().min(1)),
  /**
   * Namespaces it does not own but creates Roles in (the virtual kubelet's node leases): the
   * Roles' names and the rules they grant.
   */
  foreignRoles: z.record(
    z.string().min(1),
    z.strictObject({ names: z.array(z.string().min(1)), rules: z.array(ruleSchema) }),
  ),
  /** Nodes it labels (real) or creates (virtual), by Kubernetes node name. */
  nodes: z.array(z.string().min(1)),
  /** Virtual nodes among them: the stack creates and deletes these Node objects. */
  virtualNodes: z.array(z.string().min(1)),
  /** Names of its ClusterRoles and ClusterRoleBindings (its workloads' and its charts'). */
  clusterRoles: z.array(z.string().min(1)),
  /** Names of the CustomResourceDefinitions its charts bring. */
  customResourceDefinitions: z.array(z.string().min(1)),
  /** The rules those ClusterRoles grant (the workspace must hold them to grant them). */
  clusterRules: z.array(ruleSchema),
});
export type ManagedScope = z.infer<typeof managedScopeSchema>;

/** What a cluster stack's scope is computed from. */
export interface ManagedScopeInputs {
  readonly clusterId: string;
  /** Whether the gateway (namespace `ambassador`) is installed. */
  readonly gateway: boolean;
  readonly addons: AddonsSettings;
  readonly blocks: readonly BlockSettings[];
  /** Node names of real nodes (labelled by the stack). */
  readonly nodes: readonly string[];
  /** Node names of interLink virtual nodes (created by the stack). */
  readonly virtualNodes: readonly string[];
  /** Every workload the stack declares (their cluster-scoped access becomes ClusterRoles). */
  readonly workloads: readonly Pick<WorkloadArgs, "name" | "access">[];
  /** Cluster-scoped objects its charts bring (the gateway's). @default [] */
  readonly chartObjects?: readonly ClusterScopedObject[];
}

/** Namespaces of each add-on. */
const ADDON_SCOPE: Readonly<Record<keyof AddonsSettings, readonly string[]>> = {
  containerRegistry: [ADDON_NAMESPACES.containerRegistry],
  assetsRegistry: [ADDON_NAMESPACES.assetsDb, ADDON_NAMESPACES.objectStore],
  inferenceServer: [ADDON_NAMESPACES.inferenceServer],
  policyExecutor: [ADDON_NAMESPACES.policyExecutor, ADDON_NAMESPACES.policyJobs],
  modelSplitter: [ADDON_NAMESPACES.modelSplitter],
};

/** The scope of a cluster stack with these parts. Sorted, without duplicates. */
export function managedScope(inputs: ManagedScopeInputs): ManagedScope {
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
  const addonNamespaces = (Object.keys(ADDON_SCOPE) as (keyof AddonsSettings)[])
    .filter((k) => inputs.addons[k] !== undefined)
    .flatMap((k) => ADDON_SCOPE[k]);
  const clusterWorkloads = inputs.workloads.filter((w) => (w.access?.cluster ?? []).length > 0);
  const charts = inputs.chartObjects ?? [];
  const namespaces = sorted([
    ...AIOS_NAMESPACES,
    DEFAULT_BLOCK_NAMESPACE,
    ...(inputs.gateway ? [GATEWAY_NAMESPACE] : []),
    ...(inputs.virtualNodes.length > 0 ? [INTERLINK_NAMESPACE] : []),
    ...addonNamespaces,
    ...inputs.blocks.map((b) => b.namespace),
  ]);
  const foreignRoles: Record<string, { names: string[]; rules: Rule[] }> = {};
  for (const w of inputs.workloads) {
    for (const [ns, rules] of Object.entries(w.access?.namespaced ?? {})) {
      if (!namespaces.includes(ns) && rules.length > 0) {
        const entry = (foreignRoles[ns] ??= { names: [], rules: [] });
        entry.names = sorted([...entry.names, w.name]);
        entry.rules = uniqueRules([...entry.rules, ...rules]);
      }
    }
  }
  return {
    namespaces,
    foreignRoles,
    nodes: sorted([...inputs.nodes, ...inputs.virtualNodes]),
    virtualNodes: sorted(inputs.virtualNodes),
    clusterRoles: sorted([
      ...clusterWorkloads.map((w) => clusterRoleName(inputs.clusterId, w.name)),
      ...charts.filter((o) => o.kind !== "CustomResourceDefinition").map((o) => o.name),
    ]),
    customResourceDefinitions: sorted(
      charts.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.name),
    ),
    clusterRules: uniqueRules([
      ...clusterWorkloads.flatMap((w) => w.access?.cluster ?? []),
      ...charts.flatMap((o) => o.rules ?? []),
    ]),
  };
}

type Rule = ManagedScope["clusterRules"][number];

/** Rules without repeats (same groups, resources, verbs and names), in first-seen order. */
export function uniqueRules(rules: readonly unknown[]): Rule[] {
  const seen = new Map<string, Rule>();
  const copy = (list?: readonly string[]) => (list === undefined ? undefined : [...list]);
  for (const r of rules as Rule[]) {
    const rule = Object.fromEntries(
      Object.entries({
        apiGroups: copy(r.apiGroups),
        resources: copy(r.resources),
        verbs: [...r.verbs],
        resourceNames: copy(r.resourceNames),
        nonResourceURLs: copy(r.nonResourceURLs),
      }).filter(([, v]) => v !== undefined),
    ) as Rule;
    seen.set(JSON.stringify(rule), rule);
  }
  return [...seen.values()];
}
