/** No AIOS workload bound to cluster-admin (upstream binds every AIOS namespace's default SA to it). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isChartObject } from "../lib/objects";

const BINDINGS = [
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
];

export const noClusterAdmin: ResourceValidationPolicy = {
  name: "no-cluster-admin",
  description: "No RoleBinding or ClusterRoleBinding of an AIOS workload grants cluster-admin.",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (!BINDINGS.includes(args.type) || isChartObject(args)) {
      return;
    }
    if ((args.props as { roleRef?: { name?: string } }).roleRef?.name === "cluster-admin") {
      reportViolation(
        `${describe(args.type, args.props)} grants cluster-admin. Bind a Role with only the verbs and resources the workload uses.`,
      );
    }
  },
};
