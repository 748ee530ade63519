/**
 * Names, namespaces and ports of the add-ons, defined once (aios-spec §3). Namespaces, Service
 * names and container ports are upstream's where AIOS code or clients depend on them: vDAG
 * controllers find inference servers by listing Services in `inference-server` that expose 50052;
 * the executor's Service is `executor-svc-<id>` in `policies-system`.
 */
import type { AddonProbe } from "../aios-api/addon-registration";
import type { ImageKey, ResolvedImages } from "../config/images";
import type { NetworkEndpoints } from "../config/network-endpoints";
import type { NodePortPlan } from "../cluster/ports";

/** Namespaces of the add-ons. */
export const ADDON_NAMESPACES = {
  containerRegistry: "registry",
  objectStore: "assets-storage",
  assetsDb: "assets-db",
  inferenceServer: "inference-server",
  policyExecutor: "policies-system",
  /** Where the executor runs policy Jobs, Deployments and autoscalers. */
  policyJobs: "policies",
  modelSplitter: "split-executor",
} as const;

/** Container ports of the add-ons, by the port name containers, probes and Services use. */
export const ADDON_PORTS = {
  registry: 5000,
  minio: 9000,
  mongo: 27017,
  assetsRegistry: 4000,
  postgres: 5432,
  redis: 6379,
  /** The inference server's gRPC port, by which vDAG controllers discover it. */
  inferenceGrpc: 50052,
  inferenceRest: 20000,
  executor: 10250,
  splitRunner: 5000,
} as const;

/** The cluster-local DNS name of a Service. */
export function serviceDns(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** What every add-on spec derives from. */
export interface AddonSpecContext {
  readonly clusterId: string;
  /** The cluster's public hostname or IP (`config.publicHostname`), for public URLs. */
  readonly publicHostname: string;
  readonly network: NetworkEndpoints;
  readonly images: ResolvedImages;
  readonly nodePorts: NodePortPlan;
}

/** The public URL of a planned NodePort. */
export function publicUrl(ctx: AddonSpecContext, claim: string): string {
  return `http://${ctx.publicHostname}:${planned(ctx, claim)}`;
}

/** The planned NodePort of a claim (validation has planned every claim of a switched-on add-on). */
export function planned(ctx: AddonSpecContext, claim: string): number {
  const port = ctx.nodePorts[claim];
  if (port === undefined) {
    throw new Error(`NodePort claim '${claim}' is not in the plan`);
  }
  return port;
}

/** An image of the context, by key (resolved for every switched-on add-on). */
export function image(ctx: AddonSpecContext, key: ImageKey): string {
  const ref = ctx.images[key];
  if (ref === undefined) {
    throw new Error(`image '${key}' was not resolved; it is required by a switched-on add-on`);
  }
  return ref;
}

/** A probe that the add-on answers at all on a planned NodePort (any status below 500). */
export function answersProbe(
  ctx: AddonSpecContext,
  claim: string,
  timeoutSeconds: number,
): AddonProbe {
  return { url: `${publicUrl(ctx, claim)}/`, accepts: "below-500", timeoutSeconds };
}
