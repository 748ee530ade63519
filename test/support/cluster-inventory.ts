/**
 * What a stack left in a cluster: every object of the kinds the stack creates that carries its
 * `aios.io/cluster-id` label, as `Kind namespace/name` lines, plus readiness of its workloads.
 */
import * as k8s from "@kubernetes/client-node";

/** Every labelled object of the stack's kinds, sorted. */
export async function labelledObjects(kc: k8s.KubeConfig, clusterId: string): Promise<string[]> {
  const labelSelector = `aios.io/cluster-id=${clusterId}`;
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const q = { labelSelector };
  const lists: [string, Promise<{ items: k8s.KubernetesObject[] }>][] = [
    ["Namespace", core.listNamespace(q)],
    ["Service", core.listServiceForAllNamespaces(q)],
    ["ServiceAccount", core.listServiceAccountForAllNamespaces(q)],
    ["Deployment", apps.listDeploymentForAllNamespaces(q)],
    ["StatefulSet", apps.listStatefulSetForAllNamespaces(q)],
    ["DaemonSet", apps.listDaemonSetForAllNamespaces(q)],
    ["Role", rbac.listRoleForAllNamespaces(q)],
    ["RoleBinding", rbac.listRoleBindingForAllNamespaces(q)],
    ["ClusterRole", rbac.listClusterRole(q)],
    ["ClusterRoleBinding", rbac.listClusterRoleBinding(q)],
    ["NetworkPolicy", net.listNetworkPolicyForAllNamespaces(q)],
  ];
  const out: string[] = [];
  for (const [kind, list] of lists) {
    for (const item of (await list).items) {
      const ns = item.metadata?.namespace;
      out.push(`${kind} ${ns === undefined ? "" : `${ns}/`}${item.metadata?.name ?? "?"}`);
    }
  }
  return out.sort();
}

/** `namespace/name` of each labelled Deployment with every replica available. */
export async function availableDeployments(
  kc: k8s.KubeConfig,
  clusterId: string,
): Promise<string[]> {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const list = await apps.listDeploymentForAllNamespaces({
    labelSelector: `aios.io/cluster-id=${clusterId}`,
  });
  return list.items
    .filter((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1))
    .map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`)
    .sort();
}

/** NodePorts of every NodePort Service in the cluster, as `namespace/name:port -> nodePort`. */
export async function nodePortServices(kc: k8s.KubeConfig): Promise<string[]> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listServiceForAllNamespaces();
  return list.items
    .filter((s) => s.spec?.type === "NodePort")
    .flatMap((s) =>
      (s.spec?.ports ?? []).map(
        (p) => `${s.metadata?.namespace}/${s.metadata?.name}:${p.port} -> ${p.nodePort}`,
      ),
    )
    .sort();
}

/** Whether a CustomResourceDefinition exists. */
export async function crdExists(kc: k8s.KubeConfig, name: string): Promise<boolean> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  return ext.readCustomResourceDefinition({ name }).then(
    () => true,
    (e: { code?: number }) => {
      if (e.code === 404) {
        return false;
      }
      throw e;
    },
  );
}
