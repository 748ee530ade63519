/**
 * One AIOS workload: its own ServiceAccount with least-privilege RBAC, a Deployment, StatefulSet or
 * DaemonSet built from the workload spec rules, and its Services. Every cluster service is one of
 * these, so identity, labels, probes and exposure are decided in one place.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { grantsAnything, type Access } from "../k8s/access";
import { recommendedLabels } from "../k8s/labels";
import {
  buildPodTemplate,
  buildServiceSpec,
  SERVICE_ANNOTATIONS,
  selectorLabels,
  type PodTemplateArgs,
  type ServicePortArgs,
} from "../k8s/workload-specs";

/** A Service of the workload. */
export interface WorkloadServiceArgs {
  /** The Service's name (what AIOS code resolves). */
  readonly name: string;
  /** Its ports; with planned NodePorts it is a NodePort Service, else ClusterIP. */
  readonly ports: readonly ServicePortArgs[];
  /** Headless (`clusterIP: None`): per-pod DNS names for a StatefulSet. @default false */
  readonly headless?: boolean;
}

/** A persistent volume claimed per replica (StatefulSet only). */
export interface WorkloadVolumeClaimArgs {
  /** Volume name the containers mount. */
  readonly name: string;
  readonly sizeMB: number;
  /** @default - the cluster's default storage class */
  readonly storageClassName?: string;
}

/** Arguments of {@link Workload}. */
export interface WorkloadArgs {
  /** The AIOS cluster id (labels, cluster-scoped RBAC names). */
  readonly clusterId: string;
  /** Namespace of the workload, its ServiceAccount and Services. */
  readonly namespace: string;
  /** Object name of the workload and its ServiceAccount; `app.kubernetes.io/name`. */
  readonly name: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  /** Replicas (not for DaemonSets). @default 1 */
  readonly replicas?: number;
  readonly containers: PodTemplateArgs["containers"];
  /** @default [] */
  readonly initContainers?: PodTemplateArgs["initContainers"];
  /** @default [] */
  readonly volumes?: PodTemplateArgs["volumes"];
  /** @default - none */
  readonly tolerations?: PodTemplateArgs["tolerations"];
  /** @default - none */
  readonly nodeSelector?: PodTemplateArgs["nodeSelector"];
  /** @default - none */
  readonly podAnnotations?: PodTemplateArgs["annotations"];
  /**
   * Deployment only: `Recreate` stops the old pod before the new one starts (one instance at
   * most, e.g. a node's virtual kubelet). @default "RollingUpdate"
   */
  readonly strategy?: "RollingUpdate" | "Recreate";
  /** API access of the pods. @default - none, and no API token mounted */
  readonly access?: Access;
  /** Services in front of the pods. @default [] */
  readonly services?: readonly WorkloadServiceArgs[];
  /** StatefulSet: a persistent volume per replica. @default - none */
  readonly volumeClaim?: WorkloadVolumeClaimArgs;
  /**
   * Ingress allowed to the pods; any port not listed is closed to other pods (a NetworkPolicy).
   * @default - no policy: every port open inside the cluster
   */
  readonly ingress?: readonly k8s.types.input.networking.v1.NetworkPolicyIngressRule[];
}

/** A workload, its identity and its Services. */
/**
 * The name of a workload's ClusterRole and ClusterRoleBinding. Cluster-scoped names carry the
 * cluster id: several AIOS stacks may share a cluster.
 */
export function clusterRoleName(clusterId: string, workloadName: string): string {
  return `aios:${clusterId}:${workloadName}`;
}

export class Workload extends pulumi.ComponentResource {
  /** The workload's object name. */
  public readonly workloadName: pulumi.Output<string>;
  /** Service names, in declaration order. */
  public readonly serviceNames: pulumi.Output<string[]>;

  constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:cluster:Workload", name, {}, opts);
    const labels = recommendedLabels({
      name: args.name,
      component: args.component,
      clusterId: args.clusterId,
    });
    const metadata = (objectName: string, namespace?: string) => ({
      name: objectName,
      ...(namespace === undefined ? {} : { namespace }),
      labels,
    });
    const child = { parent: this };

    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      {
        metadata: metadata(args.name, args.namespace),
        automountServiceAccountToken: false,
      },
      child,
    );
    const bindings = this.bindAccess(name, args, sa, metadata);

    const template = buildPodTemplate({
      labels,
      serviceAccountName: args.name,
      automountServiceAccountToken: grantsAnything(args.access),
      containers: args.containers,
      initContainers: args.initContainers,
      volumes: args.volumes,
      tolerations: args.tolerations,
      nodeSelector: args.nodeSelector,
      annotations: args.podAnnotations,
    });
    const selector = { matchLabels: selectorLabels(labels) };
    const podOpts = { parent: this, dependsOn: [sa, ...bindings] };
    const workloadMeta = metadata(args.name, args.namespace);
    let workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.apps.v1.DaemonSet;
    switch (args.kind) {
      case "Deployment":
        workload = new k8s.apps.v1.Deployment(
          `${name}-deployment`,
          {
            metadata: workloadMeta,
            spec: {
              replicas: args.replicas ?? 1,
              selector,
              template,
              ...(args.strategy === "Recreate" ? { strategy: { type: "Recreate" } } : {}),
            },
          },
          podOpts,
        );
        break;
      case "StatefulSet":
        workload = new k8s.apps.v1.StatefulSet(
          `${name}-statefulset`,
          {
            metadata: workloadMeta,
            spec: {
              replicas: args.replicas ?? 1,
              serviceName: args.services?.[0]?.name ?? args.name,
              selector,
              template,
              ...(args.volumeClaim === undefined
                ? {}
                : {
                    volumeClaimTemplates: [volumeClaimTemplate(args.volumeClaim, labels)],
                    // destroy leaves nothing: the claims go with the StatefulSet.
                    persistentVolumeClaimRetentionPolicy: {
                      whenDeleted: "Delete",
                      whenScaled: "Retain",
                    },
                  }),
            },
          },
          podOpts,
        );
        break;
      case "DaemonSet":
        workload = new k8s.apps.v1.DaemonSet(
          `${name}-daemonset`,
          { metadata: workloadMeta, spec: { selector, template } },
          podOpts,
        );
        break;
    }
    const services = (args.services ?? []).map(
      (svc) =>
        new k8s.core.v1.Service(
          `${name}-svc-${svc.name}`,
          {
            metadata: { ...metadata(svc.name, args.namespace), annotations: SERVICE_ANNOTATIONS },
            spec: buildServiceSpec(labels, svc.ports, svc.headless),
          },
          child,
        ),
    );
    if (args.ingress !== undefined) {
      new k8s.networking.v1.NetworkPolicy(
        `${name}-networkpolicy`,
        {
          metadata: metadata(args.name, args.namespace),
          spec: { podSelector: selector, policyTypes: ["Ingress"], ingress: [...args.ingress] },
        },
        child,
      );
    }
    this.workloadName = workload.metadata.name;
    this.serviceNames = pulumi.all(services.map((s) => s.metadata.name));
    this.registerOutputs({ workloadName: this.workloadName, serviceNames: this.serviceNames });
  }

  /** Roles and ClusterRoles with exactly the workload's rules, bound to its ServiceAccount. */
  private bindAccess(
    name: string,
    args: WorkloadArgs,
    sa: k8s.core.v1.ServiceAccount,
    metadata: (objectName: string, namespace?: string) => k8s.types.input.meta.v1.ObjectMeta,
  ): pulumi.Resource[] {
    const subject = { kind: "ServiceAccount", name: args.name, namespace: args.namespace };
    const child = { parent: this, dependsOn: [sa] };
    const created: pulumi.Resource[] = [];
    for (const [namespace, rules] of Object.entries(args.access?.namespaced ?? {})) {
      const role = new k8s.rbac.v1.Role(
        `${name}-role-${namespace}`,
        { metadata: metadata(args.name, namespace), rules: [...rules] },
        child,
      );
      created.push(
        role,
        new k8s.rbac.v1.RoleBinding(
          `${name}-rolebinding-${namespace}`,
          {
            metadata: metadata(args.name, namespace),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: args.name },
            subjects: [subject],
          },
          { parent: this, dependsOn: [sa, role] },
        ),
      );
    }
    const clusterRules = args.access?.cluster ?? [];
    if (clusterRules.length > 0) {
      const clusterName = clusterRoleName(args.clusterId, args.name);
      const role = new k8s.rbac.v1.ClusterRole(
        `${name}-clusterrole`,
        { metadata: metadata(clusterName), rules: [...clusterRules] },
        child,
      );
      created.push(
        role,
        new k8s.rbac.v1.ClusterRoleBinding(
          `${name}-clusterrolebinding`,
          {
            metadata: metadata(clusterName),
            roleRef: {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "ClusterRole",
              name: clusterName,
            },
            subjects: [subject],
          },
          { parent: this, dependsOn: [sa, role] },
        ),
      );
    }
    return created;
  }
}

function volumeClaimTemplate(
  claim: WorkloadVolumeClaimArgs,
  labels: Record<string, string>,
): k8s.types.input.core.v1.PersistentVolumeClaim {
  return {
    metadata: { name: claim.name, labels },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: `${claim.sizeMB}M` } },
      ...(claim.storageClassName === undefined ? {} : { storageClassName: claim.storageClassName }),
    },
  };
}
