/**
 * The operator workspace's access, against the real authorizer of the local control plane: a
 * cluster stack (with the gateway and an interLink virtual node) is deployed and exports its
 * `managedScope`; the workspace RBAC the operations
 * stack builds from it is applied; the real authorizer allows exactly the scope (and the
 * `system:auth-delegator` reviews the agent makes), refuses everything else (other namespaces,
 * other nodes, other ClusterRoles, escalation to cluster-admin); and with nothing but the
 * workspace's own token, `pulumi up --refresh` — what the operator runs every resync — repairs
 * objects deleted behind Pulumi's back, and destroy removes everything.
 *
 * The operator itself is not installed here: its chart (2.9.0) is only published to an OCI
 * registry and its Go module is refused by the module proxy (403), so neither its CRDs nor its
 * image reach these offline machines. The Stack object is tested exactly in the unit tier.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import type { Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { openStack } from "../../automation/pulumi/workspace";
import { managedScopeSchema } from "../../components/operations";
import {
  reconciledStackNames,
  workspaceRbac,
  type ObjectSpec,
  type ReconciledStackContext,
} from "../../components/operations";
import { selfHealingSettingsSchema } from "../../components/operations";
import { labelledObjects } from "../support/cluster-inventory";
import { openE2eStack, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const CLUSTER_ID = "healing";
const VIRTUAL_NODE = "hpc-1";
const NAMESPACE = "aios-operations";
const NAMES = reconciledStackNames("organization/aios-infra/edge");
const WORKSPACE = `system:serviceaccount:${NAMESPACE}:${NAMES.serviceAccount}`;

let plane: LocalControlPlane;
let e2e: E2eStack;
let admin: k8s.KubeConfig;
let rbac: ObjectSpec[];
let workspaceKubeconfig: string;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }, { name: "node-2" }] });
  admin = plane.kubeConfig();
  e2e = await openE2eStack(
    "edge",
    {
      "aios-infra:cluster": minimalCluster(CLUSTER_ID, [["node-1"], [VIRTUAL_NODE]]),
      "aios-infra:network": NETWORK,
      // With the gateway: its chart's CRD, ClusterRole and binding are part of the scope.
      "aios-infra:gateway": OFFLINE_GATEWAY,
      // With a virtual node: the stack creates its Node, its lease Roles and its kubelet.
      "aios-infra:virtualNodes": [
        {
          nodeId: VIRTUAL_NODE,
          backend: { mode: "in-cluster", plugin: { image: "registry.local/slurm-plugin:0.6.2" } },
        },
      ],
    },
    plane.kubeconfigPath,
  );
  const up = await e2e.stack.up();
  const scope = managedScopeSchema.parse(up.outputs.managedScope.value);
  const ctx: ReconciledStackContext = {
    clusterId: CLUSTER_ID,
    settings: selfHealingSettingsSchema.parse({
      stack: "organization/aios-infra/edge",
      source: { repository: "https://git.example.org/aios-infra.git", branch: "main" },
      backend: "s3://aios-state/edge",
    }),
    scope,
    environmentNames: [],
    gitAuth: "none",
  };
  rbac = workspaceRbac(ctx);
  const objects = k8s.KubernetesObjectApi.makeApiClient(admin);
  const serviceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: NAMES.serviceAccount, namespace: NAMESPACE },
  };
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } };
  for (const object of [namespace, serviceAccount, ...rbac]) {
    await objects.create(object);
  }
  workspaceKubeconfig = await tokenKubeconfig();
});

afterAll(async () => {
  const objects = k8s.KubernetesObjectApi.makeApiClient(admin);
  for (const object of [...(rbac ?? [])].reverse()) {
    await objects.delete(object as k8s.KubernetesObject).catch(() => undefined);
  }
  await e2e?.dispose();
  plane?.stop();
});

/** The e2e stack, with its CLI and providers reaching the cluster through `kubeconfigPath`. */
function reopen(kubeconfigPath: string): Promise<Stack> {
  return openStack({
    stackName: "edge",
    workDir: e2e.dir,
    backendDir: path.join(e2e.dir, "state"),
    passphraseFile: path.join(e2e.dir, "passphrase"),
    kubeconfigPath,
  });
}

/** A kubeconfig holding only a short-lived token of the workspace's ServiceAccount. */
async function tokenKubeconfig(): Promise<string> {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    name: NAMES.serviceAccount,
    namespace: NAMESPACE,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster() as k8s.Cluster;
  const file = path.join(e2e.dir, "workspace-kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "local",
        cluster: {
          server: cluster.server,
          ...(cluster.caData === undefined
            ? { "certificate-authority": cluster.caFile }
            : { "certificate-authority-data": cluster.caData }),
        },
      },
    ],
    users: [{ name: "workspace", user: { token: request.status?.token } }],
    contexts: [{ name: "workspace", context: { cluster: "local", user: "workspace" } }],
    "current-context": "workspace",
  };
  fs.writeFileSync(file, YAML.stringify(config), { mode: 0o600 });
  return file;
}

/** What the real authorizer answers for the workspace. */
async function allowed(
  verb: string,
  resource: string,
  opts: { group?: string; namespace?: string; name?: string } = {},
): Promise<boolean> {
  const authz = admin.makeApiClient(k8s.AuthorizationV1Api);
  const review = await authz.createSubjectAccessReview({
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user: WORKSPACE,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${NAMESPACE}`],
        resourceAttributes: { verb, resource, group: opts.group ?? "", ...opts },
      },
    },
  });
  return review.status?.allowed === true;
}

test("the workspace may do exactly what its cluster stack manages, and the reviews the agent makes", async () => {
  const answers = {
    tokenReviews: await allowed("create", "tokenreviews", { group: "authentication.k8s.io" }),
    accessReviews: await allowed("create", "subjectaccessreviews", {
      group: "authorization.k8s.io",
    }),
    deploymentsInMetrics: await allowed("patch", "deployments", {
      group: "apps",
      namespace: "metrics",
    }),
    secretsInBlocks: await allowed("delete", "secrets", { namespace: "blocks" }),
    ownNamespace: await allowed("delete", "namespaces", { name: "controllers" }),
    labelOwnNode: await allowed("patch", "nodes", { name: "node-1" }),
    // A virtual node is the stack's own: it creates (not limitable by name) and deletes it.
    createNodes: await allowed("create", "nodes"),
    deleteVirtualNode: await allowed("delete", "nodes", { name: VIRTUAL_NODE }),
    virtualNodeLease: await allowed("update", "leases", {
      group: "coordination.k8s.io",
      namespace: "kube-node-lease",
      name: VIRTUAL_NODE,
    }),
    ownClusterRole: await allowed("update", "clusterroles", {
      group: "rbac.authorization.k8s.io",
      name: `aios:${CLUSTER_ID}:metrics-collector`,
    }),
    // kube-system only holds the membership server's Role, which grants secret creation.
    createSecretsInKubeSystem: await allowed("create", "secrets", { namespace: "kube-system" }),
    gatewayCrd: await allowed("update", "customresourcedefinitions", {
      group: "apiextensions.k8s.io",
      name: "mappings.getambassador.io",
    }),
    gatewayClusterRole: await allowed("update", "clusterroles", {
      group: "rbac.authorization.k8s.io",
      name: "ambassador-ambassador",
    }),
  };
  expect(answers).toEqual({
    tokenReviews: true,
    accessReviews: true,
    deploymentsInMetrics: true,
    secretsInBlocks: true,
    ownNamespace: true,
    labelOwnNode: true,
    createNodes: true,
    deleteVirtualNode: true,
    virtualNodeLease: true,
    ownClusterRole: true,
    createSecretsInKubeSystem: true,
    gatewayCrd: true,
    gatewayClusterRole: true,
  });
  const refused = {
    // (Reading secrets everywhere it holds: the gateway's ClusterRole grants it, so it must.)
    deleteSecretsInKubeSystem: await allowed("delete", "secrets", { namespace: "kube-system" }),
    deploymentsInKubeSystem: await allowed("patch", "deployments", {
      group: "apps",
      namespace: "kube-system",
    }),
    secretsInDefault: await allowed("create", "secrets", { namespace: "default" }),
    otherNamespace: await allowed("delete", "namespaces", { name: "kube-system" }),
    // Patching any node it must hold: the membership server it grants that labels joining nodes.
    updateOtherNode: await allowed("update", "nodes", { name: "node-2" }),
    deleteRealNode: await allowed("delete", "nodes", { name: "node-1" }),
    realNodeLease: await allowed("update", "leases", {
      group: "coordination.k8s.io",
      namespace: "kube-node-lease",
      name: "node-1",
    }),
    otherClusterRole: await allowed("update", "clusterroles", {
      group: "rbac.authorization.k8s.io",
      name: "cluster-admin",
    }),
    otherCrd: await allowed("delete", "customresourcedefinitions", {
      group: "apiextensions.k8s.io",
      name: "stacks.pulumi.com",
    }),
    impersonate: await allowed("impersonate", "serviceaccounts"),
    anything: await allowed("*", "*", { group: "*" }),
  };
  expect(refused).toEqual(Object.fromEntries(Object.keys(refused).map((k) => [k, false])));
});

test("with its token the workspace cannot make itself cluster-admin", async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(workspaceKubeconfig);
  const rbacApi = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const attempt = rbacApi.createClusterRoleBinding({
    body: {
      metadata: { name: `aios:${CLUSTER_ID}:metrics-collector` },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "cluster-admin",
      },
      subjects: [{ kind: "ServiceAccount", name: NAMES.serviceAccount, namespace: NAMESPACE }],
    },
  });
  await expect(attempt).rejects.toMatchObject({ code: 403 });
});

test("with only the workspace's token, `pulumi up --refresh` repairs drift, as the operator's resync does", async () => {
  const apps = admin.makeApiClient(k8s.AppsV1Api);
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const [deployment] = (await apps.listNamespacedDeployment({ namespace: "metrics" })).items;
  const name = deployment.metadata?.name as string;
  await apps.deleteNamespacedDeployment({ name, namespace: "metrics" });
  const [service] = (await core.listNamespacedService({ namespace: "controllers" })).items;
  await core.deleteNamespacedService({
    name: service.metadata?.name as string,
    namespace: "controllers",
  });
  await core.deleteNode({ name: VIRTUAL_NODE });

  const asWorkspace = await reopen(workspaceKubeconfig);
  const result = await asWorkspace.up({ refresh: true });
  expect(result.summary.result).toBe("succeeded");
  expect(result.summary.resourceChanges?.create).toBe(3);
  const restored = await apps.readNamespacedDeployment({ name, namespace: "metrics" });
  expect(restored.metadata?.name).toBe(name);
  const service2 = await core.readNamespacedService({
    name: service.metadata?.name as string,
    namespace: "controllers",
  });
  expect(service2.metadata?.name).toBe(service.metadata?.name);
  const node = await core.readNode({ name: VIRTUAL_NODE });
  expect(node.metadata?.labels?.["virtual-node.interlink/type"]).toBe("virtual-kubelet");
  // Converged: the next resync changes nothing.
  const again = await asWorkspace.preview({ refresh: true, expectNoChanges: true });
  expect(again.changeSummary.same).toBeGreaterThan(0);
});

test("with only the workspace's token, destroy removes everything the stack made", async () => {
  const asWorkspace = await reopen(workspaceKubeconfig);
  const result = await asWorkspace.destroy();
  expect(result.summary.result).toBe("succeeded");
  // Only the workspace's own access is left: the operations stack's, not the cluster stack's.
  const cluster = `aios:${NAMESPACE}:${NAMES.serviceAccount}`;
  expect(await labelledObjects(admin, CLUSTER_ID)).toEqual([
    `ClusterRole ${cluster}`,
    `ClusterRoleBinding ${cluster}`,
    `ClusterRoleBinding ${cluster}:auth-delegator`,
    `Role kube-node-lease/${NAMES.serviceAccount}`,
    `Role kube-system/${NAMES.serviceAccount}`,
    `RoleBinding kube-node-lease/${NAMES.serviceAccount}`,
    `RoleBinding kube-system/${NAMES.serviceAccount}`,
  ]);
  const nodes = (await admin.makeApiClient(k8s.CoreV1Api).listNode()).items;
  expect(nodes.map((n) => n.metadata?.name).sort()).toEqual(["node-1", "node-2"]);
});
