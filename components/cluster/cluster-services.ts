/**
 * The AIOS cluster services (aios-spec §1.5): the metrics Mongo, metrics-writer and its redis, the
 * metrics-collector DaemonSet, the `<clusterId>-controller`, membership-server and grpc-proxy —
 * each a {@link Workload} built from the pure specs in cluster-service-specs.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { clusterServiceSpecs, type ClusterServicesSpecArgs } from "./cluster-service-specs";
import { Workload } from "./workload";

/** Arguments of {@link ClusterServices}: the parsed configuration the specs derive from. */
export type ClusterServicesArgs = ClusterServicesSpecArgs;

/** The cluster services of one AIOS cluster. */
export class ClusterServices extends pulumi.ComponentResource {
  /** Workload names by service key (`metrics-writer`, `controller`, …). */
  public readonly workloads: pulumi.Output<Record<string, string>>;
  /** Service names by service key. */
  public readonly services: pulumi.Output<Record<string, string[]>>;
  /** The workload components, for `dependsOn` wiring. */
  public readonly components: readonly Workload[];

  constructor(name: string, args: ClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:cluster:ClusterServices", name, {}, opts);
    const specs = clusterServiceSpecs(args);
    const components = specs.map(
      ({ key, ...spec }) => new Workload(`${name}-${key}`, spec, { parent: this }),
    );
    const keyed = <T>(pick: (w: Workload) => pulumi.Output<T>) =>
      pulumi
        .all(components.map(pick))
        .apply((values) => Object.fromEntries(specs.map((s, i) => [s.key, values[i] as T])));
    this.components = components;
    this.workloads = keyed((w) => w.workloadName);
    this.services = keyed((w) => w.serviceNames);
    this.registerOutputs({ workloads: this.workloads, services: this.services });
  }
}
