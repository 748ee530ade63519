/**
 * The stack every benchmark measures: a cluster of three nodes with the cluster services (gateway
 * off: its chart needs Helm rendering that kubectl cannot repeat) and `blocks` third-party blocks
 * whose init containers finish at once under kwok.
 */
import { finishingBlock, minimalCluster, NETWORK } from "../test/support/fixtures";

/** The bench cluster's id. */
export const BENCH_CLUSTER_ID = "bench";

/** Stack config (namespaced keys) of the bench stack with `blocks` blocks. */
export function benchStackConfig(blocks: number): Record<string, unknown> {
  return {
    "aios-infra:cluster": minimalCluster(BENCH_CLUSTER_ID, [["node-1"], ["node-2"], ["node-3"]]),
    "aios-infra:network": NETWORK,
    "aios-infra:verifyNodes": false,
    "aios-infra:gateway": { enabled: false },
    "aios-infra:blocks": Array.from({ length: blocks }, (_, i) => finishingBlock(`blk-${i}`)),
  };
}
