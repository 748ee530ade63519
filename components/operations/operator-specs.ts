/**
 * Pure builders for self-healing through the Pulumi Kubernetes Operator (PKO v2): the `Stack`
 * resource that has the operator re-apply a cluster stack, and the least-privilege access of the
 * workspace pod that runs it — exactly the namespaces, nodes and cluster-scoped objects the
 * reconciled stack manages (its `managedScope`), never cluster-admin.
 */
import type * as k8s from "@pulumi/kubernetes";
import { MANAGE, READ, rule } from "../k8s/access";
import { recommendedLabels } from "../k8s/labels";
import { uniqueRules, type ManagedScope } from "./managed-scope";
import type { GitAuth, SelfHealingSettings } from "./self-healing-settings";

type PolicyRule = k8s.types.input.rbac.v1.PolicyRule;

/** The longest name the Stack CRD accepts (a CEL rule since PKO 2.3.0). */
export const MAX_STACK_NAME_LENGTH = 42;

/** Config the reconciled stack gets from the Stack: use the workspace pod's identity. */
export const IN_CLUSTER_CONFIG = { "aios-infra:clusterAccess": "in-cluster" } as const;

/** Environment variables the Stack sets itself; the secrets' `environment` may not. */
export const RESERVED_ENVIRONMENT = ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"] as const;

/** Key of the git token in the credentials Secret. */
export const GIT_TOKEN_KEY = "gitToken";
/** Key of the git SSH private key in the credentials Secret. */
export const GIT_SSH_KEY_KEY = "gitSshKey";

/** Everything the builders need about one reconciled stack. */
export interface ReconciledStackContext {
  /** The reconciled cluster's id (its `clusterId` output), labelled on every object. */
  readonly clusterId: string;
  readonly settings: SelfHealingSettings;
  /** What the reconciled stack manages (its `managedScope` output). */
  readonly scope: ManagedScope;
  /** Names of the extra environment variables in the credentials Secret. */
  readonly environmentNames: readonly string[];
  /** How the operator authenticates to the repository (the credentials Secret's key for it). */
  readonly gitAuth: GitAuth;
}

/** The names of a reconciled stack's objects, from the stack's own name. */
export function reconciledStackNames(stack: string) {
  const short = stack.split("/").pop() ?? stack;
  const name = `aios-${short}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return {
    /** The Stack resource (and so its Workspace and workspace pod). */
    stack: name,
    /** The workspace pod's ServiceAccount. */
    serviceAccount: `${name}-workspace`,
    /** The Secret holding the passphrase, environment and git token. */
    credentials: `${name}-credentials`,
    /** Cluster-scoped names carry the namespace: several operations stacks may share a cluster. */
    clusterScoped: (namespace: string) => `aios:${namespace}:${name}-workspace`,
  };
}

/** Metadata of a reconciled stack's objects (in its namespace unless `namespaced` is false). */
export function reconciledStackMetadata(
  ctx: ReconciledStackContext,
  name: string,
  namespaced = true,
) {
  return {
    name,
    ...(namespaced ? { namespace: ctx.settings.namespace } : {}),
    labels: recommendedLabels({
      name: reconciledStackNames(ctx.settings.stack).stack,
      component: "self-healing",
      clusterId: ctx.clusterId,
    }),
  };
}

/** A rule limited to `names`, or nothing when there are none (an empty list would mean all). */
function named(
  apiGroup: string,
  resources: readonly string[],
  verbs: readonly string[],
  names: readonly string[],
): PolicyRule[] {
  return names.length === 0 ? [] : [rule(apiGroup, resources, verbs, names)];
}

/** The workspace's cluster-wide rules: cluster-scoped objects of the scope, and what they grant. */
export function workspaceClusterRules(ctx: ReconciledStackContext): PolicyRule[] {
  const s = ctx.scope;
  const changeNamed = ["get", "update", "patch", "delete"];
  const rules = [
    // Creation and listing cannot be limited by name; everything else reaches only its own.
    rule("", ["namespaces"], ["create", "list", "watch"]),
    ...named("", ["namespaces"], changeNamed, s.namespaces),
    rule("", ["nodes"], READ),
    ...named("", ["nodes"], ["update", "patch"], s.nodes),
    ...(s.virtualNodes.length > 0 ? [rule("", ["nodes"], ["create"])] : []),
    ...named("", ["nodes"], ["delete"], s.virtualNodes),
    rule("rbac.authorization.k8s.io", ["clusterroles", "clusterrolebindings"], ["list", "watch"]),
    ...(s.clusterRoles.length > 0
      ? [rule("rbac.authorization.k8s.io", ["clusterroles", "clusterrolebindings"], ["create"])]
      : []),
    ...named(
      "rbac.authorization.k8s.io",
      ["clusterroles", "clusterrolebindings"],
      changeNamed,
      s.clusterRoles,
    ),
    // The provider reads CRDs to await custom resources; the charts' own are managed by name.
    rule("apiextensions.k8s.io", ["customresourcedefinitions"], READ),
    ...(s.customResourceDefinitions.length > 0
      ? [rule("apiextensions.k8s.io", ["customresourcedefinitions"], ["create"])]
      : []),
    ...named(
      "apiextensions.k8s.io",
      ["customresourcedefinitions"],
      ["update", "patch", "delete"],
      s.customResourceDefinitions,
    ),
    // A ClusterRole can only be created by a subject that holds what it grants.
    ...s.clusterRules.map((r) => ({ ...r })),
    ...ctx.settings.extraClusterRules.map((r) => ({ ...r })),
  ];
  // Without repeats (the held rules often include the plain node reads).
  return uniqueRules(rules);
}

/** Rules in a namespace the stack owns: every namespaced kind (its charts bring any), named verbs. */
export const OWNED_NAMESPACE_RULES: readonly PolicyRule[] = [rule("*", ["*"], MANAGE)];

/** Rules in a namespace the stack only creates Roles in: those Roles, and what they grant. */
export function foreignNamespaceRules(names: readonly string[], rules: readonly PolicyRule[]) {
  return [
    rule("rbac.authorization.k8s.io", ["roles", "rolebindings"], ["create", "list", "watch"]),
    ...named("rbac.authorization.k8s.io", ["roles", "rolebindings"], MANAGE, names),
    ...rules.map((r) => ({ ...r })),
  ];
}

/** A Kubernetes object, as the components create them. */
export interface ObjectSpec {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

/**
 * The workspace's RBAC: `system:auth-delegator` (the agent checks the operator's token with a
 * TokenReview and a SubjectAccessReview), a ClusterRole for the cluster-scoped part of the scope,
 * and a Role per namespace of the scope.
 */
export function workspaceRbac(ctx: ReconciledStackContext): ObjectSpec[] {
  const names = reconciledStackNames(ctx.settings.stack);
  const ns = ctx.settings.namespace;
  const subject = { kind: "ServiceAccount", name: names.serviceAccount, namespace: ns };
  const rbac = "rbac.authorization.k8s.io/v1";
  const clusterName = names.clusterScoped(ns);
  const binding = (
    kind: string,
    roleKind: string,
    roleName: string,
    meta: ObjectSpec["metadata"],
  ) => ({
    apiVersion: rbac,
    kind,
    metadata: meta,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName },
    subjects: [subject],
  });
  const namespaced = [
    ...ctx.scope.namespaces.map((n) => ({ namespace: n, rules: [...OWNED_NAMESPACE_RULES] })),
    ...Object.entries(ctx.scope.foreignRoles).map(([n, r]) => ({
      namespace: n,
      rules: foreignNamespaceRules(r.names, r.rules),
    })),
  ];
  return [
    binding(
      "ClusterRoleBinding",
      "ClusterRole",
      "system:auth-delegator",
      reconciledStackMetadata(ctx, `${clusterName}:auth-delegator`, false),
    ),
    {
      apiVersion: rbac,
      kind: "ClusterRole",
      metadata: reconciledStackMetadata(ctx, clusterName, false),
      rules: workspaceClusterRules(ctx),
    },
    binding(
      "ClusterRoleBinding",
      "ClusterRole",
      clusterName,
      reconciledStackMetadata(ctx, clusterName, false),
    ),
    ...namespaced.flatMap(({ namespace, rules }) => {
      const meta = { ...reconciledStackMetadata(ctx, names.serviceAccount), namespace };
      return [
        { apiVersion: rbac, kind: "Role", metadata: meta, rules },
        binding("RoleBinding", "Role", names.serviceAccount, meta),
      ];
    }),
  ];
}

/** A reference to a key of the credentials Secret. */
function secretRef(ctx: ReconciledStackContext, key: string) {
  return {
    type: "Secret",
    secret: { name: reconciledStackNames(ctx.settings.stack).credentials, key },
  };
}

/** The Stack's `gitAuth`: the credentials Secret's token or SSH key, none for a public https repo. */
function gitAuthSpec(ctx: ReconciledStackContext) {
  switch (ctx.gitAuth) {
    case "token":
      return { gitAuth: { accessToken: secretRef(ctx, GIT_TOKEN_KEY) } };
    case "ssh":
      return { gitAuth: { sshAuth: { sshPrivateKey: secretRef(ctx, GIT_SSH_KEY_KEY) } } };
    case "none":
      return {};
  }
}

/** The `Stack` (pulumi.com/v1) that has the operator keep the cluster stack in its state. */
export function stackResource(ctx: ReconciledStackContext): ObjectSpec {
  const s = ctx.settings;
  const names = reconciledStackNames(s.stack);
  return {
    apiVersion: "pulumi.com/v1",
    kind: "Stack",
    metadata: reconciledStackMetadata(ctx, names.stack),
    spec: {
      stack: s.stack,
      projectRepo: s.source.repository,
      ...(s.source.branch === undefined ? {} : { branch: s.source.branch }),
      ...(s.source.commit === undefined ? {} : { commit: s.source.commit }),
      ...(s.source.directory === "" ? {} : { repoDir: s.source.directory }),
      shallow: true,
      ...gitAuthSpec(ctx),
      // The stack must already exist with its file in the repository: never create one.
      useLocalStackOnly: true,
      backend: s.backend,
      envRefs: Object.fromEntries(
        ["PULUMI_CONFIG_PASSPHRASE", ...[...ctx.environmentNames].sort()].map((n) => [
          n,
          secretRef(ctx, n),
        ]),
      ),
      config: { ...IN_CLUSTER_CONFIG },
      refresh: s.refresh,
      // Re-apply every period even when the commit is unchanged: the self-healing switch.
      continueResyncOnCommitMatch: true,
      resyncFrequencySeconds: s.resyncSeconds,
      destroyOnFinalize: s.destroyOnFinalize,
      serviceAccountName: names.serviceAccount,
      workspaceTemplate: {
        spec: {
          image: s.workspaceImage,
          securityProfile: "restricted",
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        },
      },
      workspaceReclaimPolicy: "Retain",
      updateTemplate: { spec: { ttlAfterCompleted: s.keepRunsFor } },
    },
  };
}
