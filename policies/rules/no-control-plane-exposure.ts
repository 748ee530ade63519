/**
 * No exposure of control-plane ports (API server 6443, etcd 2379-2380, kubelet 10250, controller
 * manager 10257, scheduler 10259): no pod on the host network, no hostPort on one of them, and no
 * selector-less Service (whose endpoints can be node addresses) forwarding one of them.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  containerLabel,
  containersOf,
  describe,
  objectId,
  podSpecOf,
  serviceSpecOf,
} from "../lib/objects";

/** The rule's configuration. */
export interface ControlPlanePortsConfig {
  /** The control-plane ports. */
  readonly ports: number[];
  /** Workloads (`namespace/name`) allowed on the host network. */
  readonly hostNetworkAllowed: string[];
}

export const noControlPlaneExposure: ResourceValidationPolicy = {
  name: "no-control-plane-exposure",
  description: "No Service, hostPort or host-network pod exposes a control-plane port.",
  severity: "critical",
  configSchema: {
    properties: {
      ports: {
        type: "array",
        items: { type: "integer" },
        default: [6443, 2379, 2380, 10250, 10257, 10259],
      },
      hostNetworkAllowed: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  validateResource: (args, reportViolation) => {
    const { ports, hostNetworkAllowed } = args.getConfig<ControlPlanePortsConfig>();
    const what = describe(args.type, args.props);
    if (args.type === "kubernetes:core/v1:Service") {
      const svc = serviceSpecOf(args.props);
      if (svc.selector !== undefined || svc.type === "ExternalName") {
        return;
      }
      for (const port of svc.ports ?? []) {
        const forwarded = [port.port, port.targetPort].find((p) => ports.includes(p as number));
        if (forwarded !== undefined) {
          reportViolation(
            `${what} has no selector and forwards port ${String(forwarded)}, a control-plane port. Select pods instead, or forward another port.`,
          );
        }
      }
      return;
    }
    const spec = podSpecOf(args.type, args.props);
    if (spec === undefined) {
      return;
    }
    if (spec.hostNetwork === true && !hostNetworkAllowed.includes(objectId(args.props))) {
      reportViolation(
        `${what} runs on the host network, which exposes the node's control-plane ports (${ports.join(", ")}). Remove hostNetwork.`,
      );
    }
    for (const ref of containersOf(spec)) {
      for (const port of ref.container.ports ?? []) {
        if (port.hostPort !== undefined && ports.includes(port.hostPort)) {
          reportViolation(
            `${what} ${containerLabel(ref)} binds hostPort ${port.hostPort}, a control-plane port. Remove the hostPort.`,
          );
        }
      }
    }
  },
};
