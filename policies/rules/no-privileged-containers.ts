/**
 * No privileged container except the allow-list (the metrics collector reads host metrics): no
 * `privileged`, no capability that amounts to it, no sharing of the host's process or IPC
 * namespaces.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, objectId, podSpecOf } from "../lib/objects";

/** The rule's configuration. */
export interface PrivilegedConfig {
  /** Workloads (`namespace/name`) whose containers may be privileged. */
  readonly allowed: string[];
  /** Capabilities as good as privileged. */
  readonly capabilities: string[];
}

export const noPrivilegedContainers: ResourceValidationPolicy = {
  name: "no-privileged-containers",
  description:
    "No container is privileged, adds a privileged capability or shares the host's PID or IPC namespace, except in allow-listed workloads.",
  severity: "critical",
  configSchema: {
    properties: {
      allowed: { type: "array", items: { type: "string" }, default: ["metrics/metrics-collector"] },
      capabilities: {
        type: "array",
        items: { type: "string" },
        default: ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH"],
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const spec = podSpecOf(args.type, args.props);
    const { allowed, capabilities } = args.getConfig<PrivilegedConfig>();
    if (spec === undefined || allowed.includes(objectId(args.props))) {
      return;
    }
    const what = describe(args.type, args.props);
    for (const field of ["hostPID", "hostIPC"] as const) {
      if (spec[field] === true) {
        reportViolation(
          `${what} sets ${field}, sharing the host's ${field === "hostPID" ? "processes" : "IPC"}. Remove it, or allow-list the workload.`,
        );
      }
    }
    for (const ref of containersOf(spec)) {
      if (ref.container.securityContext?.privileged === true) {
        reportViolation(
          `${what} ${containerLabel(ref)} is privileged. Remove securityContext.privileged, or allow-list the workload.`,
        );
      }
      const added = (ref.container.securityContext?.capabilities?.add ?? []).filter((c) =>
        capabilities.includes(c.replace(/^CAP_/, "")),
      );
      if (added.length > 0) {
        reportViolation(
          `${what} ${containerLabel(ref)} adds the capabilit${added.length > 1 ? "ies" : "y"} ${added.join(", ")}. Drop it, or allow-list the workload.`,
        );
      }
    }
  },
};
