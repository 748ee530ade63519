/** No NodePort used twice across the whole stack: the API server rejects the second Service. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, portLabel, serviceSpecOf } from "../lib/objects";

export const nodePortUnique: StackValidationPolicy = {
  name: "nodeport-unique",
  description: "No NodePort is used by two Services of the stack.",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const owners = new Map<number, string>();
    for (const resource of args.resources) {
      if (resource.type !== "kubernetes:core/v1:Service") {
        continue;
      }
      for (const port of serviceSpecOf(resource.props).ports ?? []) {
        const nodePort = port.nodePort;
        if (nodePort === undefined) {
          continue;
        }
        const owner = `${describe(resource.type, resource.props)} (port '${portLabel(port)}')`;
        const first = owners.get(nodePort);
        if (first === undefined) {
          owners.set(nodePort, owner);
        } else {
          reportViolation(
            `NodePort ${nodePort} is used by ${first} and by ${owner}. Give one of them another port.`,
            resource.urn,
          );
        }
      }
    }
  },
};
