/** CPU and memory requests and limits on every container, init containers included. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, podSpecOf } from "../lib/objects";

export const containerResources: ResourceValidationPolicy = {
  name: "container-resources",
  description: "Every container has CPU and memory requests and limits.",
  severity: "medium",
  validateResource: (args, reportViolation) => {
    for (const ref of containersOf(podSpecOf(args.type, args.props))) {
      const missing = (["requests", "limits"] as const).flatMap((kind) =>
        (["cpu", "memory"] as const)
          .filter((r) => ref.container.resources?.[kind]?.[r] === undefined)
          .map((r) => `${kind}.${r}`),
      );
      if (missing.length > 0) {
        reportViolation(
          `${describe(args.type, args.props)} ${containerLabel(ref)} has no resources.${missing.join(", resources.")}. Set CPU and memory requests and limits.`,
        );
      }
    }
  },
};
