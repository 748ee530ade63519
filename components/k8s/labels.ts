/**
 * Labels, defined once. Every object the stack creates carries the recommended
 * `app.kubernetes.io/*` labels and the AIOS cluster id, so that policies, selectors and a
 * `kubectl get -l aios.io/cluster-id=<id>` all see the same set.
 */

/** Label carrying the AIOS cluster id on every object. */
export const CLUSTER_ID_LABEL = "aios.io/cluster-id";
/** Label AIOS reads to map a Kubernetes node to its AIOS node id. */
export const NODE_ID_LABEL = "nodeID";
/**
 * Annotation listing a node's GPUs, read by AIOS onboarding and membership. Its value is the
 * JSON array upstream's gpu_info.sh writes: `[{"modelName": "<name>", "memory": <MiB>}]`.
 */
export const GPU_INFO_ANNOTATION = "gpu.aios/info";
/** Value of `app.kubernetes.io/part-of` for everything the stack creates. */
export const PART_OF = "aios";
/** Value of `app.kubernetes.io/managed-by`. */
export const MANAGED_BY = "pulumi";

/** The recommended labels of one object. */
export interface RecommendedLabelsArgs {
  /** `app.kubernetes.io/name`: what the object is (e.g. `metrics-writer`). */
  readonly name: string;
  /** `app.kubernetes.io/component`: its role in the architecture (e.g. `namespace`). */
  readonly component: string;
  /** The AIOS cluster id. */
  readonly clusterId: string;
  /** `app.kubernetes.io/instance`. @default - the cluster id */
  readonly instance?: string;
  /** `app.kubernetes.io/version`. @default - not set */
  readonly version?: string;
}

/** The recommended label set. */
export function recommendedLabels(args: RecommendedLabelsArgs): Record<string, string> {
  return {
    "app.kubernetes.io/name": args.name,
    "app.kubernetes.io/instance": args.instance ?? args.clusterId,
    "app.kubernetes.io/component": args.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    ...(args.version === undefined ? {} : { "app.kubernetes.io/version": args.version }),
    [CLUSTER_ID_LABEL]: args.clusterId,
  };
}
