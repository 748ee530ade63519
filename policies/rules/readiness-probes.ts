/** A readiness probe on every container of a Deployment or StatefulSet (rollouts wait for it). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, podSpecOf } from "../lib/objects";

const TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

export const readinessProbes: ResourceValidationPolicy = {
  name: "readiness-probes",
  description: "Every container of a Deployment or StatefulSet has a readiness probe.",
  severity: "medium",
  validateResource: (args, reportViolation) => {
    if (!TYPES.includes(args.type)) {
      return;
    }
    for (const ref of containersOf(podSpecOf(args.type, args.props))) {
      if (!ref.init && ref.container.readinessProbe === undefined) {
        reportViolation(
          `${describe(args.type, args.props)} ${containerLabel(ref)} has no readiness probe. Add one, so rollouts wait until it serves.`,
        );
      }
    }
  },
};
