/**
 * One cluster stack kept in its desired state by the Pulumi Kubernetes Operator: the `Stack`
 * resource, the workspace's ServiceAccount and least-privilege RBAC, and the Secret its passphrase,
 * backend credentials and git token come from. Declared by an operations stack, never by the stack
 * it reconciles (an in-cluster run would otherwise restart or delete its own operator).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceMetadata } from "../cluster/namespaces";
import {
  GIT_SSH_KEY_KEY,
  GIT_TOKEN_KEY,
  reconciledStackMetadata,
  reconciledStackNames,
  stackResource,
  workspaceRbac,
  type ObjectSpec,
  type ReconciledStackContext,
} from "./operator-specs";
import type { SelfHealingSecrets } from "./self-healing-settings";

/** Arguments of {@link ReconciledStack}. */
export interface ReconciledStackArgs {
  /** The stack, its scope and which credentials there are. */
  readonly context: ReconciledStackContext;
  /** The passphrase, environment and git token (a Pulumi secret end to end). */
  readonly secrets: pulumi.Output<SelfHealingSecrets>;
  /** What the Stack waits for: the operator's chart (its CRDs), when this stack installs it. */
  readonly operator?: pulumi.Input<pulumi.Resource[]>;
}

type RbacResource =
  | k8s.rbac.v1.ClusterRole
  | k8s.rbac.v1.ClusterRoleBinding
  | k8s.rbac.v1.Role
  | k8s.rbac.v1.RoleBinding;

/** The Stack and everything its workspace needs. */
export class ReconciledStack extends pulumi.ComponentResource {
  /** The Stack resource's name and namespace. */
  public readonly stackResource: pulumi.Output<{ name: string; namespace: string }>;
  /** The workspace pod's ServiceAccount. */
  public readonly serviceAccount: pulumi.Output<string>;

  constructor(name: string, args: ReconciledStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:operations:ReconciledStack", name, {}, opts);
    const ctx = args.context;
    const names = reconciledStackNames(ctx.settings.stack);
    const child = { parent: this };
    const ns = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      { metadata: namespaceMetadata(ctx.settings.namespace, ctx.clusterId) },
      child,
    );
    const inNs = { parent: this, dependsOn: [ns] };
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-workspace`,
      { metadata: reconciledStackMetadata(ctx, names.serviceAccount) },
      inNs,
    );
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: reconciledStackMetadata(ctx, names.credentials),
        type: "Opaque",
        stringData: pulumi.secret(
          args.secrets.apply((s) => ({
            PULUMI_CONFIG_PASSPHRASE: s.passphrase,
            ...s.environment,
            ...(s.gitToken === undefined ? {} : { [GIT_TOKEN_KEY]: s.gitToken }),
            ...(s.gitSshKey === undefined ? {} : { [GIT_SSH_KEY_KEY]: s.gitSshKey }),
          })),
        ),
      },
      inNs,
    );
    const rbac = workspaceRbac(ctx).map((spec) => rbacResource(name, spec, this, sa));
    const spec = stackResource(ctx);
    const stack = new k8s.apiextensions.CustomResource(`${name}-stack`, spec, {
      parent: this,
      dependsOn: pulumi
        .output(args.operator ?? [])
        .apply((operator) => [sa, credentials, ...rbac, ...operator]),
    });
    this.stackResource = pulumi
      .all([stack.metadata.name, stack.metadata.namespace])
      .apply(([n, namespace]) => ({ name: n, namespace }));
    this.serviceAccount = sa.metadata.name;
    this.registerOutputs({
      stackResource: this.stackResource,
      serviceAccount: this.serviceAccount,
    });
  }
}

/** One RBAC object of the workspace, a child of `parent`. */
function rbacResource(
  name: string,
  spec: ObjectSpec,
  parent: pulumi.Resource,
  sa: k8s.core.v1.ServiceAccount,
): RbacResource {
  const at = spec.metadata.namespace === undefined ? "" : `${spec.metadata.namespace}-`;
  const id = `${name}-${spec.kind.toLowerCase()}-${at}${spec.metadata.name.replace(/:/g, "-")}`;
  const opts = { parent, dependsOn: [sa] };
  const args = spec as never;
  switch (spec.kind) {
    case "ClusterRole":
      return new k8s.rbac.v1.ClusterRole(id, args, opts);
    case "ClusterRoleBinding":
      return new k8s.rbac.v1.ClusterRoleBinding(id, args, opts);
    case "Role":
      return new k8s.rbac.v1.Role(id, args, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(id, args, opts);
    default:
      throw new Error(`unexpected RBAC kind ${spec.kind}`);
  }
}
