/** The operator's Stack and its workspace's RBAC, as exact objects, and a cluster's managed scope. */
import { clusterScopedKind, managedScope, type ManagedScope } from "../../components/operations";
import {
  stackResource,
  workspaceRbac,
  type ReconciledStackContext,
} from "../../components/operations";
import { selfHealingSettingsSchema } from "../../components/operations";
import { NODE_READER_RULES } from "../../components/k8s";

const LABELS = {
  "app.kubernetes.io/name": "aios-edge-prod",
  "app.kubernetes.io/instance": "edge",
  "app.kubernetes.io/component": "self-healing",
  "app.kubernetes.io/part-of": "aios",
  "app.kubernetes.io/managed-by": "pulumi",
  "aios.io/cluster-id": "edge",
};

const SCOPE: ManagedScope = {
  namespaces: ["blocks", "interlink"],
  foreignRoles: {
    "kube-node-lease": {
      names: ["vk-hpc-1"],
      rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] }],
    },
  },
  nodes: ["hpc-1", "node-1"],
  virtualNodes: ["hpc-1"],
  clusterRoles: ["aios:edge:controller"],
  customResourceDefinitions: ["mappings.getambassador.io"],
  clusterRules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
};

function context(overrides: Record<string, unknown> = {}): ReconciledStackContext {
  return {
    clusterId: "edge",
    settings: selfHealingSettingsSchema.parse({
      stack: "organization/aios-infra/edge-prod",
      source: { repository: "https://git.example.org/platform/aios-infra.git", branch: "main" },
      backend: "s3://aios-state/prod",
      ...overrides,
    }),
    scope: SCOPE,
    environmentNames: ["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"],
    gitAuth: "token" as const,
  };
}

test("the Stack re-applies the cluster stack from git with refresh, secrets by reference only", () => {
  const secret = (key: string) => ({
    type: "Secret",
    secret: { name: "aios-edge-prod-credentials", key },
  });
  expect(stackResource(context())).toEqual({
    apiVersion: "pulumi.com/v1",
    kind: "Stack",
    metadata: { name: "aios-edge-prod", namespace: "aios-operations", labels: LABELS },
    spec: {
      stack: "organization/aios-infra/edge-prod",
      projectRepo: "https://git.example.org/platform/aios-infra.git",
      branch: "main",
      shallow: true,
      gitAuth: { accessToken: secret("gitToken") },
      useLocalStackOnly: true,
      backend: "s3://aios-state/prod",
      envRefs: {
        PULUMI_CONFIG_PASSPHRASE: secret("PULUMI_CONFIG_PASSPHRASE"),
        AWS_ACCESS_KEY_ID: secret("AWS_ACCESS_KEY_ID"),
        AWS_SECRET_ACCESS_KEY: secret("AWS_SECRET_ACCESS_KEY"),
      },
      config: { "aios-infra:clusterAccess": "in-cluster" },
      refresh: true,
      continueResyncOnCommitMatch: true,
      resyncFrequencySeconds: 300,
      destroyOnFinalize: false,
      serviceAccountName: "aios-edge-prod-workspace",
      workspaceTemplate: {
        spec: {
          image: "pulumi/pulumi:3.259.0-nonroot",
          securityProfile: "restricted",
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        },
      },
      workspaceReclaimPolicy: "Retain",
      updateTemplate: { spec: { ttlAfterCompleted: "6h" } },
    },
  });
});

test("a pinned commit in a subdirectory of a public https repository: no branch, no gitAuth", () => {
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const ctx = {
    ...context({
      source: { repository: "https://git.example.org/p/infra.git", commit, directory: "aios" },
      resyncSeconds: 60,
      destroyOnFinalize: true,
    }),
    gitAuth: "none" as const,
    environmentNames: [],
  };
  const spec = stackResource(ctx).spec as Record<string, unknown>;
  expect(spec).toMatchObject({ commit, repoDir: "aios", resyncFrequencySeconds: 60 });
  expect(spec.destroyOnFinalize).toBe(true);
  expect(Object.keys(spec)).not.toEqual(expect.arrayContaining(["branch"]));
  expect(Object.keys(spec)).not.toEqual(expect.arrayContaining(["gitAuth"]));
  expect(spec.envRefs).toEqual({
    PULUMI_CONFIG_PASSPHRASE: {
      type: "Secret",
      secret: { name: "aios-edge-prod-credentials", key: "PULUMI_CONFIG_PASSPHRASE" },
    },
  });
});

test("an SSH repository is cloned with the credentials Secret's private key", () => {
  const ctx = {
    ...context({
      source: { repository: "git@git.example.org:p/infra.git", branch: "main", directory: "" },
    }),
    gitAuth: "ssh" as const,
    environmentNames: [],
  };
  expect((stackResource(ctx).spec as Record<string, unknown>).gitAuth).toEqual({
    sshAuth: {
      sshPrivateKey: {
        type: "Secret",
        secret: { name: "aios-edge-prod-credentials", key: "gitSshKey" },
      },
    },
  });
});

test("the workspace gets auth-delegator and exactly its scope, every changing verb by name", () => {
  const meta = (name: string, namespace?: string) => ({
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: LABELS,
  });
  const subject = {
    kind: "ServiceAccount",
    name: "aios-edge-prod-workspace",
    namespace: "aios-operations",
  };
  const rbac = "rbac.authorization.k8s.io";
  const ref = (kind: string, name: string) => ({ apiGroup: rbac, kind, name });
  const manage = ["get", "list", "watch", "create", "update", "patch", "delete"];
  const changeNamed = ["get", "update", "patch", "delete"];
  const cluster = "aios:aios-operations:aios-edge-prod-workspace";
  const role = (namespace: string, rules: unknown[]) => [
    {
      apiVersion: `${rbac}/v1`,
      kind: "Role",
      metadata: meta("aios-edge-prod-workspace", namespace),
      rules,
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: "RoleBinding",
      metadata: meta("aios-edge-prod-workspace", namespace),
      roleRef: ref("Role", "aios-edge-prod-workspace"),
      subjects: [subject],
    },
  ];
  const owned = [{ apiGroups: ["*"], resources: ["*"], verbs: manage }];
  expect(workspaceRbac(context())).toEqual([
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: meta(`${cluster}:auth-delegator`),
      roleRef: ref("ClusterRole", "system:auth-delegator"),
      subjects: [subject],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRole",
      metadata: meta(cluster),
      rules: [
        { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "list", "watch"] },
        {
          apiGroups: [""],
          resources: ["namespaces"],
          verbs: changeNamed,
          resourceNames: ["blocks", "interlink"],
        },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: [""],
          resources: ["nodes"],
          verbs: ["update", "patch"],
          resourceNames: ["hpc-1", "node-1"],
        },
        { apiGroups: [""], resources: ["nodes"], verbs: ["create"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["delete"], resourceNames: ["hpc-1"] },
        {
          apiGroups: [rbac],
          resources: ["clusterroles", "clusterrolebindings"],
          verbs: ["list", "watch"],
        },
        {
          apiGroups: [rbac],
          resources: ["clusterroles", "clusterrolebindings"],
          verbs: ["create"],
        },
        {
          apiGroups: [rbac],
          resources: ["clusterroles", "clusterrolebindings"],
          verbs: changeNamed,
          resourceNames: ["aios:edge:controller"],
        },
        {
          apiGroups: ["apiextensions.k8s.io"],
          resources: ["customresourcedefinitions"],
          verbs: ["get", "list", "watch"],
        },
        {
          apiGroups: ["apiextensions.k8s.io"],
          resources: ["customresourcedefinitions"],
          verbs: ["create"],
        },
        {
          apiGroups: ["apiextensions.k8s.io"],
          resources: ["customresourcedefinitions"],
          verbs: ["update", "patch", "delete"],
          resourceNames: ["mappings.getambassador.io"],
        },
      ],
    },
    {
      apiVersion: `${rbac}/v1`,
      kind: "ClusterRoleBinding",
      metadata: meta(cluster),
      roleRef: ref("ClusterRole", cluster),
      subjects: [subject],
    },
    ...role("blocks", owned),
    ...role("interlink", owned),
    ...role("kube-node-lease", [
      {
        apiGroups: [rbac],
        resources: ["roles", "rolebindings"],
        verbs: ["create", "list", "watch"],
      },
      {
        apiGroups: [rbac],
        resources: ["roles", "rolebindings"],
        verbs: manage,
        resourceNames: ["vk-hpc-1"],
      },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    ]),
  ]);
});

test("an empty scope grants no rule without a name list (an empty list would mean every name)", () => {
  const empty: ManagedScope = {
    namespaces: [],
    foreignRoles: {},
    nodes: [],
    virtualNodes: [],
    clusterRoles: [],
    customResourceDefinitions: [],
    clusterRules: [],
  };
  const objects = workspaceRbac({ ...context(), scope: empty });
  const clusterRole = objects.find((o) => o.kind === "ClusterRole");
  expect(clusterRole?.rules).toEqual([
    { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "list", "watch"] },
    { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
    {
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles", "clusterrolebindings"],
      verbs: ["list", "watch"],
    },
    {
      apiGroups: ["apiextensions.k8s.io"],
      resources: ["customresourcedefinitions"],
      verbs: ["get", "list", "watch"],
    },
  ]);
  expect(objects.map((o) => o.kind)).toEqual([
    "ClusterRoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
  ]);
  const everyRoleRef = objects.flatMap((o) => ("roleRef" in o ? [o.roleRef] : []));
  expect(everyRoleRef).not.toContainEqual(expect.objectContaining({ name: "cluster-admin" }));
});

test("a cluster's managed scope: its namespaces, nodes, ClusterRoles and the rules they grant", () => {
  const leaseRule = {
    apiGroups: ["coordination.k8s.io"],
    resources: ["leases"],
    verbs: ["create"],
  };
  expect(
    managedScope({
      clusterId: "edge",
      gateway: true,
      addons: { policyExecutor: {} as never },
      blocks: [{ namespace: "llm" } as never, { namespace: "third-party" } as never],
      nodes: ["node-1"],
      virtualNodes: ["hpc-1"],
      chartObjects: [
        { kind: "CustomResourceDefinition", name: "mappings.getambassador.io" },
        {
          kind: "ClusterRole",
          name: "ambassador-ambassador",
          rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
        },
        { kind: "ClusterRoleBinding", name: "ambassador-ambassador" },
      ],
      workloads: [
        { name: "controller", access: { cluster: NODE_READER_RULES } },
        { name: "collector", access: { cluster: NODE_READER_RULES } },
        { name: "membership" },
        {
          name: "vk-hpc-1",
          access: { cluster: [leaseRule], namespaced: { "kube-node-lease": [leaseRule] } },
        },
      ],
    }),
  ).toEqual({
    namespaces: [
      "ambassador",
      "blocks",
      "controllers",
      "interlink",
      "llm",
      "metrics",
      "policies",
      "policies-system",
      "third-party",
      "vdags",
    ],
    foreignRoles: { "kube-node-lease": { names: ["vk-hpc-1"], rules: [leaseRule] } },
    nodes: ["hpc-1", "node-1"],
    virtualNodes: ["hpc-1"],
    clusterRoles: [
      "aios:edge:collector",
      "aios:edge:controller",
      "aios:edge:vk-hpc-1",
      "ambassador-ambassador",
    ],
    customResourceDefinitions: ["mappings.getambassador.io"],
    clusterRules: [
      ...NODE_READER_RULES,
      leaseRule,
      { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
    ],
  });
});

test("a chart child's URN names its kind after the parents' types", () => {
  const urn = (type: string, name: string) =>
    `urn:pulumi:dev::aios-infra::aios-infra:cluster:Gateway$kubernetes:helm.sh/v4:Chart$${type}::${name}`;
  expect(
    [
      urn("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "gateway-chart:ambassador-a"),
      urn("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "gateway-chart:x"),
      urn("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "gateway-chart:m"),
      urn("kubernetes:rbac.authorization.k8s.io/v1:Role", "gateway-chart:r"),
      urn("kubernetes:apps/v1:Deployment", "gateway-chart:ClusterRole"),
      "not a urn",
    ].map(clusterScopedKind),
  ).toEqual([
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    undefined,
    undefined,
    undefined,
  ]);
});
