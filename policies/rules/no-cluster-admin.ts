/**
 * No AIOS workload bound to cluster-admin (upstream binds every AIOS namespace's default SA to it),
 * nor cluster-wide to the `admin` or `edit` roles, nor a binding that names the `system:masters`
 * group (which bypasses RBAC).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isChartObject } from "../lib/objects";

const BINDINGS = [
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
];

export const noClusterAdmin: ResourceValidationPolicy = {
  name: "no-cluster-admin",
  description:
    "No RoleBinding or ClusterRoleBinding of an AIOS workload grants cluster-admin (or admin/edit cluster-wide, or system:masters).",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (!BINDINGS.includes(args.type) || isChartObject(args)) {
      return;
    }
    const binding = args.props as {
      roleRef?: { name?: string };
      subjects?: readonly { kind?: string; name?: string }[];
    };
    const role = binding.roleRef?.name;
    const clusterWide = args.type.endsWith(":ClusterRoleBinding");
    if (role === "cluster-admin" || (clusterWide && (role === "admin" || role === "edit"))) {
      reportViolation(
        `${describe(args.type, args.props)} grants ${role}${role === "cluster-admin" ? "" : " cluster-wide"}. Bind a Role with only the verbs and resources the workload uses.`,
      );
    }
    if ((binding.subjects ?? []).some((s) => s.kind === "Group" && s.name === "system:masters")) {
      reportViolation(
        `${describe(args.type, args.props)} names the group system:masters, which bypasses RBAC. Bind the workload's own ServiceAccount.`,
      );
    }
  },
};
