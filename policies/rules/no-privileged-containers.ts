/** No privileged container except the allow-list (the metrics collector reads host metrics). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, objectId, podSpecOf } from "../lib/objects";

/** The rule's configuration. */
export interface PrivilegedConfig {
  /** Workloads (`namespace/name`) whose containers may be privileged. */
  readonly allowed: string[];
}

export const noPrivilegedContainers: ResourceValidationPolicy = {
  name: "no-privileged-containers",
  description: "No container is privileged, except in allow-listed workloads.",
  severity: "critical",
  configSchema: {
    properties: {
      allowed: { type: "array", items: { type: "string" }, default: ["metrics/metrics-collector"] },
    },
  },
  validateResource: (args, reportViolation) => {
    const spec = podSpecOf(args.type, args.props);
    if (
      spec === undefined ||
      args.getConfig<PrivilegedConfig>().allowed.includes(objectId(args.props))
    ) {
      return;
    }
    for (const ref of containersOf(spec)) {
      if (ref.container.securityContext?.privileged === true) {
        reportViolation(
          `${describe(args.type, args.props)} ${containerLabel(ref)} is privileged. Remove securityContext.privileged, or allow-list the workload.`,
        );
      }
    }
  },
};
