/** Operations stacks: their config refusals, and the program installing the operator and a Stack. */
import * as pulumi from "@pulumi/pulumi";
import { parseOperationsStackConfig, selfHealingSecretsProblems } from "../../components/config";
import { kubeconfigProblems } from "../../components/config";
import { CLUSTER_IMAGE_KEYS } from "../../components/config";
import { minimalCluster, pinnedImages } from "../support/fixtures";
import { recordRegistrations, referencedStacks, type Registration } from "../support/mocks";
import { runProgram } from "../support/program-runner";
import { configProblems } from "../support/config-problems";

const registrations: Registration[] = recordRegistrations();
const TARGET = "organization/aios-infra/edge-prod";
const SELF_HEALING = {
  stack: TARGET,
  source: { repository: "https://git.example.org/platform/aios-infra.git", branch: "main" },
  backend: "s3://aios-state/prod",
};
const OWN = { project: "aios-infra", stack: "ops" };
const HTTPS = "https://git.example.org/platform/aios-infra.git";
const SSH = "git@git.example.org:platform/aios-infra.git";

const problems = (raw: Record<string, unknown>): string[] =>
  configProblems(() => parseOperationsStackConfig(raw, Object.keys(raw), OWN));

test("an operations stack refuses a file:// backend, a short resync, an ambiguous source and cluster settings", () => {
  expect(
    problems({
      cluster: {},
      selfHealing: {
        ...SELF_HEALING,
        backend: "file:///state",
        resyncSeconds: 30,
        source: { ...SELF_HEALING.source, commit: "0123456789abcdef0123456789abcdef01234567" },
        workspaceImage: "pulumi/pulumi:latest-nonroot",
        extraClusterRules: [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }],
      },
    }),
  ).toEqual([
    "aios-infra:cluster: is not used by an operations stack (aios-infra:selfHealing is set); its settings: environment, operator, selfHealing, selfHealingSecrets, kubeconfig (received a value)",
    'aios-infra:selfHealing.source: must name exactly one of branch and commit (received {"repository":"https://git.example.org/platform/aios-infra.git","branch":"mai...)',
    'aios-infra:selfHealing.backend: must outlive the workspace pod: a file:// backend lives in the pod\'s emptyDir and is lost with it; use the backend your pipelines use (s3://, gs://, azblob:// or https://) (received "file:///state")',
    'aios-infra:selfHealing.backend: must be an s3://, gs://, azblob:// or https:// backend URL (received "file:///state")',
    "aios-infra:selfHealing.resyncSeconds: must be at least 60: the operator raises anything lower to 60 (received 30)",
    'aios-infra:selfHealing.workspaceImage: must be an image reference pinned to a version tag (not latest*) or a digest (received "pulumi/pulumi:latest-nonroot")',
    `aios-infra:selfHealing.extraClusterRules[0].verbs: must name plain verbs: '*', 'escalate', 'bind', 'impersonate' are never granted (received ["*"])`,
  ]);
});

test("extra cluster rules never grant wildcards or escalation; a repository URL never carries credentials", () => {
  const rules = [
    { apiGroups: ["*"], resources: ["*"], verbs: ["get", "create"] },
    { apiGroups: [""], resources: ["*/status"], verbs: ["patch"] },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"] },
    { apiGroups: [""], resources: ["users"], verbs: ["impersonate"] },
    { apiGroups: [""], nonResourceURLs: ["/metrics"], verbs: ["get"] },
  ];
  const source = { repository: "https://ci:tok-123@git.example.org/p/infra.git", branch: "main" };
  const found = problems({ selfHealing: { ...SELF_HEALING, extraClusterRules: rules, source } });
  expect(found.map((p) => p.replace(/ \(received .*\)$/, ""))).toEqual([
    "aios-infra:selfHealing.source.repository: must not carry credentials (they would be stored in plain text in the Stack and the state): put a token in aios-infra:selfHealingSecrets.gitToken or a key in .gitSshKey",
    "aios-infra:selfHealing.extraClusterRules[0].apiGroups: must name API groups: '*' is never granted",
    "aios-infra:selfHealing.extraClusterRules[0].resources: must name resources: '*' is never granted",
    "aios-infra:selfHealing.extraClusterRules[1].resources: must name resources: '*' is never granted",
    "aios-infra:selfHealing.extraClusterRules[2].verbs: must name plain verbs: '*', 'escalate', 'bind', 'impersonate' are never granted",
    "aios-infra:selfHealing.extraClusterRules[3].verbs: must name plain verbs: '*', 'escalate', 'bind', 'impersonate' are never granted",
    "aios-infra:selfHealing.extraClusterRules[4].resources: is required (array)",
    "aios-infra:selfHealing.extraClusterRules[4].nonResourceURLs: is not a known setting; remove it or check its spelling",
  ]);
  const named = {
    apiGroups: ["gateway.networking.k8s.io"],
    resources: ["gatewayclasses"],
    verbs: ["get", "create", "delete"],
  };
  const accepted = (selfHealing: Record<string, unknown>) =>
    parseOperationsStackConfig({ selfHealing }, ["selfHealing"], OWN).selfHealing;
  expect(accepted({ ...SELF_HEALING, extraClusterRules: [named] }).extraClusterRules).toEqual([
    named,
  ]);
  expect(accepted({ ...SELF_HEALING, source: { repository: SSH, branch: "main" } }).source).toEqual(
    { repository: SSH, branch: "main", directory: "" },
  );
});

test("an operations stack may not reconcile itself, nor a stack whose Stack name is too long", () => {
  expect(
    problems({ selfHealing: { ...SELF_HEALING, stack: "organization/aios-infra/ops" } }),
  ).toEqual([
    'aios-infra:selfHealing.stack: names this operations stack: the operator must reconcile a cluster stack, never the stack that installs it (an in-cluster run could restart or delete its own operator) (received "organization/aios-infra/ops")',
  ]);
  const long = `organization/aios-infra/${"x".repeat(40)}`;
  expect(problems({ selfHealing: { ...SELF_HEALING, stack: long } })).toEqual([
    `aios-infra:selfHealing.stack: gives the Stack resource the name aios-${"x".repeat(40)} (45 characters); the operator allows at most 42: use a shorter stack name (received ${JSON.stringify(long)})`,
  ]);
});

test("the defaults: the operator's pinned chart, a 300 s resync with refresh, no destroy on finalize", () => {
  expect(parseOperationsStackConfig({ selfHealing: SELF_HEALING }, ["selfHealing"], OWN)).toEqual({
    kind: "operations",
    environment: "dev",
    operator: {
      install: true,
      chart: {
        repository: "oci://ghcr.io/pulumi/helm-charts",
        name: "pulumi-kubernetes-operator",
        version: "2.9.0",
      },
      namespace: "pulumi-kubernetes-operator",
      values: {},
    },
    selfHealing: {
      ...SELF_HEALING,
      source: { ...SELF_HEALING.source, directory: "" },
      namespace: "aios-operations",
      resyncSeconds: 300,
      refresh: true,
      destroyOnFinalize: false,
      workspaceImage: "pulumi/pulumi:3.259.0-nonroot",
      keepRunsFor: "6h",
      extraClusterRules: [],
    },
  });
});

test("the secrets are checked without ever showing a value", () => {
  const result = selfHealingSecretsProblems(
    { passphrase: "", environment: { PULUMI_BACKEND_URL: "s3://x", "BAD NAME": "hunter2" } },
    HTTPS,
  );
  expect(result.problems.map((p) => `${p.path}: ${p.message} (received ${p.received})`)).toEqual([
    "aios-infra:selfHealingSecrets.passphrase: Too small: expected string to have >=1 characters (received a secret value (not shown))",
    "aios-infra:selfHealingSecrets.environment.BAD NAME: must be an environment name (received a secret value (not shown))",
  ]);
  expect(JSON.stringify(result)).not.toContain("hunter2");
  expect(
    selfHealingSecretsProblems(
      { passphrase: "p", environment: { PULUMI_BACKEND_URL: "s3://x" } },
      HTTPS,
    ).problems,
  ).toEqual([
    {
      path: "aios-infra:selfHealingSecrets.environment.PULUMI_BACKEND_URL",
      message:
        "is set by the Stack itself (PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL: use passphrase and aios-infra:selfHealing.backend)",
      received: "a secret value (not shown)",
    },
  ]);
  expect(selfHealingSecretsProblems(undefined, HTTPS).problems[0].path).toBe(
    "aios-infra:selfHealingSecrets",
  );
});

test("the git credential must fit the repository: a token for https, a private key for SSH", () => {
  const key =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n-----END OPENSSH PRIVATE KEY-----";
  const check = (secrets: Record<string, unknown>, repository: string) => {
    const r = selfHealingSecretsProblems({ passphrase: "p", ...secrets }, repository);
    expect(JSON.stringify(r)).not.toContain("secret-key-material");
    expect(JSON.stringify(r)).not.toContain("tok-123");
    return [r.gitAuth, r.problems.map((p) => `${p.path}: ${p.message} (received ${p.received})`)];
  };
  expect(check({ gitToken: "tok-123" }, HTTPS)).toEqual(["token", []]);
  expect(check({}, HTTPS)).toEqual(["none", []]);
  expect(check({ gitSshKey: key }, SSH)).toEqual(["ssh", []]);
  expect(check({ gitSshKey: key }, "ssh://git@git.example.org/p/infra.git")).toEqual(["ssh", []]);
  expect(check({}, SSH)[1]).toEqual([
    `aios-infra:selfHealingSecrets.gitSshKey: is required: aios-infra:selfHealing.source.repository is an SSH URL (${SSH}), which the operator clones with a private key (received nothing)`,
  ]);
  expect(check({ gitToken: "tok-123", gitSshKey: key }, SSH)[1]).toEqual([
    `aios-infra:selfHealingSecrets.gitToken: is for https repositories; aios-infra:selfHealing.source.repository is an SSH URL (${SSH}): use gitSshKey (received a secret value (not shown))`,
  ]);
  expect(check({ gitSshKey: key }, HTTPS)[1]).toEqual([
    `aios-infra:selfHealingSecrets.gitSshKey: is for SSH repositories; aios-infra:selfHealing.source.repository is an https URL (${HTTPS}): use gitToken (received a secret value (not shown))`,
  ]);
  expect(check({ gitSshKey: "tok-123" }, SSH)[1]).toEqual([
    "aios-infra:selfHealingSecrets.gitSshKey: must be a PEM or OpenSSH private key (received a secret value (not shown))",
  ]);
});

describe("the program of an operations stack", () => {
  const scope = {
    namespaces: ["blocks"],
    foreignRoles: {},
    nodes: ["node-1"],
    virtualNodes: [],
    clusterRoles: ["aios:edge:controller"],
    customResourceDefinitions: [],
    clusterRules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
  };
  const config = {
    "aios-infra:verifyNodes": undefined,
    "aios-infra:network": undefined,
    "aios-infra:selfHealing": SELF_HEALING,
    "aios-infra:selfHealingSecrets": {
      passphrase: "correct horse",
      environment: { AWS_ACCESS_KEY_ID: "AKIA" },
    },
  };

  test("installs the operator, then the Stack with its workspace's access and credentials", async () => {
    referencedStacks[TARGET] = { clusterId: "edge", managedScope: scope };
    const outputs = await runProgram(registrations, config);
    expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        "pulumi:pulumi:StackReference reconciled-stack",
        "pulumi:providers:kubernetes k8s",
        "aios-infra:operations:PulumiOperator operator",
        "kubernetes:core/v1:Namespace operator-namespace",
        "kubernetes:helm.sh/v4:Chart operator-chart",
        "aios-infra:operations:ReconciledStack self-healing",
        "kubernetes:core/v1:Namespace self-healing-namespace",
        "kubernetes:core/v1:ServiceAccount self-healing-workspace",
        "kubernetes:core/v1:Secret self-healing-credentials",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding self-healing-clusterrolebinding-aios-aios-operations-aios-edge-prod-workspace-auth-delegator",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole self-healing-clusterrole-aios-aios-operations-aios-edge-prod-workspace",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding self-healing-clusterrolebinding-aios-aios-operations-aios-edge-prod-workspace",
        "kubernetes:rbac.authorization.k8s.io/v1:Role self-healing-role-blocks-aios-edge-prod-workspace",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding self-healing-rolebinding-blocks-aios-edge-prod-workspace",
        "kubernetes:pulumi.com/v1:Stack self-healing-stack",
      ].sort(),
    );
    const chart = registrations.find((r) => r.name === "operator-chart")?.inputs;
    expect(chart).toMatchObject({
      name: "pulumi-kubernetes-operator",
      chart: "oci://ghcr.io/pulumi/helm-charts/pulumi-kubernetes-operator",
      version: "2.9.0",
    });
    const secret = registrations.find((r) => r.name === "self-healing-credentials")?.inputs;
    expect(secret?.metadata).toMatchObject({
      name: "aios-edge-prod-credentials",
      namespace: "aios-operations",
    });
    const stack = registrations.find((r) => r.name === "self-healing-stack")?.inputs as any;
    expect(stack.spec.envRefs.AWS_ACCESS_KEY_ID).toEqual({
      type: "Secret",
      secret: { name: "aios-edge-prod-credentials", key: "AWS_ACCESS_KEY_ID" },
    });
    // The credentials reach the provider as a secret (the engine's secret signature), and
    // nowhere else: the Stack only names their keys.
    expect(secret?.stringData).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: { PULUMI_CONFIG_PASSPHRASE: "correct horse", AWS_ACCESS_KEY_ID: "AKIA" },
    });
    const others = registrations.filter((r) => r.name !== "self-healing-credentials");
    expect(JSON.stringify(others)).not.toContain("correct horse");
    expect(outputs).toMatchObject({
      clusterId: "edge",
      reconciledStack: TARGET,
      serviceAccount: "aios-edge-prod-workspace",
      stackResource: { name: "aios-edge-prod", namespace: "aios-operations" },
    });
  });

  test("a referenced stack without a managedScope fails at preview and deploys nothing", async () => {
    referencedStacks[TARGET] = { clusterId: "edge" };
    const logged = jest.spyOn(pulumi.log, "error").mockResolvedValue(undefined);
    expect(await runProgram(registrations, config)).toEqual({});
    expect(registrations.map((r) => r.type)).toEqual(["pulumi:pulumi:StackReference"]);
    expect(logged.mock.calls[0][0]).toContain(
      `aios-infra:selfHealing.stack: stack ${TARGET} has no clusterId and managedScope outputs`,
    );
    logged.mockRestore();
  });
});

test("a cluster stack exports the scope the operator's workspace gets", async () => {
  const outputs = await runProgram(registrations, {
    "aios-infra:cluster": minimalCluster("edge", [["node-1"]]),
    "aios-infra:gateway": { enabled: false },
  });
  const nodeReads = { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] };
  expect(outputs.managedScope).toEqual({
    namespaces: ["blocks", "controllers", "metrics", "third-party", "vdags"],
    // The membership server writes join tokens into kube-system: a Role there, nothing more.
    foreignRoles: {
      "kube-system": {
        names: ["membership-server"],
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }],
      },
    },
    nodes: ["node-1"],
    virtualNodes: [],
    clusterRoles: [
      "aios:edge:edge-controller",
      "aios:edge:membership-server",
      "aios:edge:metrics-collector",
    ],
    customResourceDefinitions: [],
    clusterRules: [nodeReads, { ...nodeReads, verbs: ["get", "list", "watch", "patch"] }],
  });
});

test("in-cluster access: the pod's identity, no kubeconfig needed in production, none allowed beside it", async () => {
  await runProgram(registrations, {
    "aios-infra:cluster": minimalCluster("edge", [["node-1"]]),
    "aios-infra:gateway": { enabled: false },
    "aios-infra:environment": "production",
    "aios-infra:images": pinnedImages(CLUSTER_IMAGE_KEYS),
    "aios-infra:clusterAccess": "in-cluster",
  });
  const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
  expect(provider?.inputs).toEqual({
    clusterIdentifier: "aios-edge",
    enableServerSideApply: "true",
  });
  expect(registrations.filter((r) => r.type === "kubernetes:apps/v1:Deployment")).not.toEqual([]);

  // A kubeconfig in the stack file would be the workspace's to decrypt: refused, nothing made.
  const outputs = await runProgram(registrations, {
    "aios-infra:cluster": minimalCluster("edge", [["node-1"]]),
    "aios-infra:gateway": { enabled: false },
    "aios-infra:clusterAccess": "in-cluster",
    "aios-infra:kubeconfig": "apiVersion: v1\nkind: Config\n",
  });
  expect(outputs).toEqual({});
  expect(registrations.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);
  expect(kubeconfigProblems("production", true, true)).toEqual([
    {
      path: "aios-infra:kubeconfig",
      message:
        "must not be set when aios-infra:clusterAccess is in-cluster: the operator's workspace holds this stack's passphrase and could decrypt it, which would void its scoped RBAC; remove it from the stack file of a stack the operator reconciles (pulumi config rm aios-infra:kubeconfig)",
      received: "a secret value (not shown)",
    },
  ]);
  expect(kubeconfigProblems("production", false, true)).toEqual([]);
  expect(kubeconfigProblems("staging", false, false).map((p) => p.path)).toEqual([
    "aios-infra:kubeconfig",
  ]);
  expect(kubeconfigProblems("dev", false, false)).toEqual([]);
});
