/** The recommended labels and the AIOS cluster id on every Kubernetes object the stack creates. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, isKubernetesObject, metadataOf } from "../lib/objects";

/** The labels every object carries. */
export const REQUIRED_LABELS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/component",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
  "aios.io/cluster-id",
] as const;

export const recommendedLabels: ResourceValidationPolicy = {
  name: "recommended-labels",
  description:
    "Every Kubernetes object carries the app.kubernetes.io/* labels and aios.io/cluster-id.",
  severity: "low",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type)) {
      return;
    }
    const labels = metadataOf(args.props).labels ?? {};
    const missing = REQUIRED_LABELS.filter((l) => labels[l] === undefined || labels[l] === "");
    if (missing.length > 0) {
      reportViolation(
        `${describe(args.type, args.props)} lacks the label${missing.length > 1 ? "s" : ""} ${missing.join(", ")}. Label every object so selectors, policies and inventories see it.`,
      );
    }
  },
};
