/**
 * The one NodePort plan of a stack: every NodePort the stack claims comes from this table, with
 * upstream's defaults, operator overrides, the cluster's NodePort range, and no port claimed
 * twice. Upstream lets the gateway and grpc-proxy both take 32000 and puts the gateway's http and
 * https on one port (aios-spec §1.2, §7); our defaults do not collide.
 */
import type { ConfigProblem } from "../config/config-errors";
import { CONFIG_NAMESPACE } from "../config/config-namespace";

/** Upstream's NodePort for each claim of the cluster services, or ours where upstream's collides. */
export const CLUSTER_NODE_PORTS = {
  /** Ambassador http (upstream 32000). */
  gatewayHttp: 32000,
  /** Ambassador https, on its own port (upstream values.yaml: 32009; the docs reuse 32000). */
  gatewayHttps: 32009,
  /** `<clusterId>-controller` infra API (upstream 32300). */
  controllerInfra: 32300,
  /** metrics-writer API (upstream 32301). */
  metrics: 32301,
  /** `<clusterId>-controller` block transactions (upstream 32302). */
  blockTransactions: 32302,
  /** `<clusterId>-controller` parameter updater / mgmt (upstream 32303). */
  mgmt: 32303,
  /** `<clusterId>-controller` monitor (upstream 32304). */
  monitor: 32304,
  /** `<clusterId>-controller` health (upstream 32305). */
  health: 32305,
  /** membership-server (upstream 30501). */
  membership: 30501,
  /** grpc-proxy (upstream 32000, which collides with the gateway; ours 32306). */
  grpcProxy: 32306,
} as const;

/**
 * The add-ons' NodePorts (aios-spec §3, §3.6): upstream's code, not the docs' optional-ports table
 * (32380, 32390 and 31701 are used by no code). Claimed only by add-ons that are switched on.
 */
export const ADDON_NODE_PORTS = {
  /** Container registry (`registry:2`; the docs' 32633, upstream's image registry uses 31280). */
  containerRegistry: 32633,
  /** Assets registry server (upstream 31700). */
  assetsRegistry: 31700,
  /** Adhoc inference server gRPC (upstream 31500). */
  inferenceGrpc: 31500,
  /** Adhoc inference server REST (upstream 31501). */
  inferenceRest: 31501,
  /** Policy executor REST (upstream 30900). */
  policyExecutor: 30900,
  /** Policy executor redis, only when asked and then password-protected (upstream 30901). */
  policyExecutorRedis: 30901,
  /** Model split runner (upstream 32286; the docs also say 31701). */
  modelSplitter: 32286,
} as const;

/** Every claim's default NodePort. */
export const DEFAULT_NODE_PORTS = { ...CLUSTER_NODE_PORTS, ...ADDON_NODE_PORTS } as const;

/** A named NodePort claim. */
export type NodePortClaim = keyof typeof DEFAULT_NODE_PORTS;

/** The NodePort range of the cluster (kube-apiserver `--service-node-port-range`). */
export interface NodePortRange {
  readonly min: number;
  readonly max: number;
}

/** The Kubernetes default range. */
export const DEFAULT_NODE_PORT_RANGE: NodePortRange = { min: 30000, max: 32767 };

/** The resolved plan: one port per claim. */
export type NodePortPlan = Readonly<Record<string, number>>;

/** Arguments of {@link planNodePorts}. */
export interface PlanNodePortsArgs {
  /**
   * The claims the stack makes (parts that are switched off claim nothing).
   * @default - every cluster-service claim, no add-on claim
   */
  readonly claims?: readonly NodePortClaim[];
  /** Operator overrides by claim name; overrides of claims not made are ignored. @default {} */
  readonly overrides?: Readonly<Partial<Record<NodePortClaim, number>>>;
  /** Claims of optional parts (add-ons, blocks) by name. @default {} */
  readonly extraClaims?: Readonly<Record<string, number>>;
  /** The cluster's range. @default DEFAULT_NODE_PORT_RANGE */
  readonly range?: NodePortRange;
  /** Config path the problems are reported under. @default "aios-infra:nodePorts" */
  readonly configPath?: string;
}

/**
 * Resolves the plan, or returns the problems: ports outside the range, and ports claimed twice
 * (naming both claimants).
 */
export function planNodePorts(args: PlanNodePortsArgs = {}): {
  plan: NodePortPlan;
  problems: ConfigProblem[];
} {
  const range = args.range ?? DEFAULT_NODE_PORT_RANGE;
  const at = args.configPath ?? `${CONFIG_NAMESPACE}:nodePorts`;
  const claims = args.claims ?? (Object.keys(CLUSTER_NODE_PORTS) as NodePortClaim[]);
  const plan: Record<string, number> = {
    ...Object.fromEntries(claims.map((c) => [c, args.overrides?.[c] ?? DEFAULT_NODE_PORTS[c]])),
    ...args.extraClaims,
  };
  const problems: ConfigProblem[] = [];
  const owner = new Map<number, string>();
  for (const [claim, port] of Object.entries(plan)) {
    if (port < range.min || port > range.max) {
      problems.push({
        path: `${at}.${claim}`,
        message: `must be inside the cluster's NodePort range ${range.min}-${range.max}`,
        received: String(port),
      });
      continue;
    }
    const first = owner.get(port);
    if (first !== undefined) {
      problems.push({
        path: `${at}.${claim}`,
        message: `NodePort ${port} is already claimed by ${first}; choose a free port for one of them`,
        received: String(port),
      });
      continue;
    }
    owner.set(port, claim);
  }
  return { plan, problems };
}
