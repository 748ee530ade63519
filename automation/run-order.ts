/**
 * The order stacks run in: network → cluster → blocks, from the references between them. Up,
 * preview, refresh and drift run a stack after the stacks it takes outputs from; destroy runs it
 * after the stacks that take outputs from it. Stacks outside the selection are not waited for.
 */
import type { StackEntry } from "./stack-catalog";

/** Stack name → the selected stacks it must wait for. */
export type RunGraph = ReadonlyMap<string, readonly string[]>;

/** The graph for `stacks`; `reverse` for destroy. Throws on a reference cycle, naming it. */
export function runGraph(stacks: readonly StackEntry[], reverse: boolean): RunGraph {
  const selected = new Set(stacks.map((s) => s.name));
  const graph = new Map<string, string[]>(stacks.map((s) => [s.name, []]));
  for (const s of stacks) {
    for (const dep of s.dependsOn.filter((d) => selected.has(d))) {
      if (reverse) {
        graph.get(dep)?.push(s.name);
      } else {
        graph.get(s.name)?.push(dep);
      }
    }
  }
  waves(graph);
  return graph;
}

/**
 * The graph's stacks in waves: each wave only waits for earlier ones. Throws on a cycle.
 */
export function waves(graph: RunGraph): string[][] {
  const done = new Set<string>();
  const out: string[][] = [];
  while (done.size < graph.size) {
    const wave = [...graph.keys()]
      .filter((n) => !done.has(n) && (graph.get(n) ?? []).every((d) => done.has(d)))
      .sort();
    if (wave.length === 0) {
      const stuck = [...graph.keys()].filter((n) => !done.has(n)).sort();
      throw new Error(
        `stack references form a cycle among ${stuck.join(", ")} (aios-infra:networkStack / aios-infra:clusterStack)`,
      );
    }
    wave.forEach((n) => done.add(n));
    out.push(wave);
  }
  return out;
}
