/** Every NodePort inside the cluster's NodePort range (kube-apiserver `--service-node-port-range`). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, portLabel, serviceSpecOf } from "../lib/objects";

/** The rule's configuration. */
export interface NodePortRangeConfig {
  readonly min: number;
  readonly max: number;
}

export const nodePortInRange: ResourceValidationPolicy = {
  name: "nodeport-in-range",
  description: "Every NodePort lies inside the cluster's NodePort range.",
  severity: "high",
  configSchema: {
    properties: {
      min: { type: "integer", minimum: 1, maximum: 65535, default: 30000 },
      max: { type: "integer", minimum: 1, maximum: 65535, default: 32767 },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== "kubernetes:core/v1:Service") {
      return;
    }
    const { min, max } = args.getConfig<NodePortRangeConfig>();
    for (const port of serviceSpecOf(args.props).ports ?? []) {
      const nodePort = port.nodePort;
      if (nodePort !== undefined && (nodePort < min || nodePort > max)) {
        reportViolation(
          `${describe(args.type, args.props)} port '${portLabel(port)}' uses NodePort ${nodePort}, outside the cluster's range ${min}-${max}. Choose a port inside the range.`,
        );
      }
    }
  },
};
