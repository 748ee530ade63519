/** No wildcard verbs, resources or API groups in the roles of AIOS workloads. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isChartObject } from "../lib/objects";

const ROLES = [
  "kubernetes:rbac.authorization.k8s.io/v1:Role",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
];

export const noRbacWildcards: ResourceValidationPolicy = {
  name: "no-rbac-wildcards",
  description:
    "No Role or ClusterRole of an AIOS workload uses '*' for verbs, resources or API groups.",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (!ROLES.includes(args.type) || isChartObject(args)) {
      return;
    }
    const rules = (args.props as { rules?: Readonly<Record<string, readonly string[]>>[] }).rules;
    (rules ?? []).forEach((rule, i) => {
      for (const field of ["verbs", "resources", "apiGroups"]) {
        if ((rule[field] ?? []).includes("*")) {
          reportViolation(
            `${describe(args.type, args.props)} rule ${i} has '*' in ${field}. Name each one the workload needs.`,
          );
        }
      }
    });
  },
};
