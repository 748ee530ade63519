/**
 * No datastore on a NodePort: AIOS's redis and Mongo have no authentication, and even an
 * authenticated one does not belong on every node's address unless an operator allows it.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, objectId, portLabel, serviceSpecOf } from "../lib/objects";

/** The rule's configuration. */
export interface DatastoreConfig {
  /** Datastore ports (redis, Mongo, PostgreSQL). */
  readonly ports: number[];
  /** Datastore port names. */
  readonly portNames: string[];
  /** Services (`namespace/name`) allowed to expose an authenticated datastore. */
  readonly allowedServices: string[];
}

export const noDatastoreOnNodePort: ResourceValidationPolicy = {
  name: "no-datastore-on-nodeport",
  description: "No redis, Mongo or PostgreSQL port is exposed on a NodePort or load balancer.",
  severity: "critical",
  configSchema: {
    properties: {
      ports: { type: "array", items: { type: "integer" }, default: [6379, 27017, 5432] },
      portNames: {
        type: "array",
        items: { type: "string" },
        default: ["redis", "mongo", "mongodb", "postgres", "postgresql"],
      },
      allowedServices: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, reportViolation) => {
    const svc = serviceSpecOf(args.props);
    if (
      args.type !== "kubernetes:core/v1:Service" ||
      (svc.type !== "NodePort" && svc.type !== "LoadBalancer")
    ) {
      return;
    }
    const { ports, portNames, allowedServices } = args.getConfig<DatastoreConfig>();
    if (allowedServices.includes(objectId(args.props))) {
      return;
    }
    for (const port of svc.ports ?? []) {
      const byNumber = [port.port, port.targetPort].some((p) => ports.includes(p as number));
      const byName = [port.name, port.targetPort].some((p) => portNames.includes(p as string));
      if (byNumber || byName) {
        reportViolation(
          `${describe(args.type, args.props)} exposes datastore port '${portLabel(port)}' (${String(port.port)}) on a ${svc.type} Service. Serve it on a ClusterIP Service.`,
        );
      }
    }
  },
};
