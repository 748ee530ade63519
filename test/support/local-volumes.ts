/**
 * Persistent volumes for the local control plane, which has no storage provisioner: a StorageClass
 * without one and statically created PersistentVolumes the PV controller binds claims to — what a
 * cluster's storage team provides. They belong to the test, not to the stack: the test removes
 * them (the stack's claims are gone by then).
 */
import * as k8s from "@kubernetes/client-node";

/** The StorageClass e2e stacks name for their volumes. */
export const E2E_STORAGE_CLASS = "e2e-local";

/** Creates the StorageClass and `count` PVs of `sizeGi` each; returns their names. */
export async function provisionVolumes(
  kc: k8s.KubeConfig,
  count: number,
  sizeGi: number,
): Promise<string[]> {
  const storage = kc.makeApiClient(k8s.StorageV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await storage.createStorageClass({
    body: {
      metadata: { name: E2E_STORAGE_CLASS },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "Immediate",
      reclaimPolicy: "Retain",
    },
  });
  const names = Array.from({ length: count }, (_, i) => `e2e-volume-${i}`);
  for (const name of names) {
    await core.createPersistentVolume({
      body: {
        metadata: { name, labels: { "e2e.aios.io/volume": "true" } },
        spec: {
          storageClassName: E2E_STORAGE_CLASS,
          capacity: { storage: `${sizeGi}Gi` },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          hostPath: { path: `/tmp/${name}`, type: "DirectoryOrCreate" },
        },
      },
    });
  }
  return names;
}

/** Every PersistentVolumeClaim in the cluster, as `namespace/name`. */
export async function claims(kc: k8s.KubeConfig): Promise<string[]> {
  const list = await kc.makeApiClient(k8s.CoreV1Api).listPersistentVolumeClaimForAllNamespaces();
  return list.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`).sort();
}

/** The test's PVs with the claim each is bound to (`-` when none). */
export async function volumeClaims(kc: k8s.KubeConfig): Promise<string[]> {
  const list = await kc
    .makeApiClient(k8s.CoreV1Api)
    .listPersistentVolume({ labelSelector: "e2e.aios.io/volume=true" });
  return list.items
    .map((v) => {
      const ref = v.spec?.claimRef;
      return `${v.metadata?.name} ${ref === undefined ? "-" : `${ref.namespace}/${ref.name}`} ${v.status?.phase ?? "?"}`;
    })
    .sort();
}
