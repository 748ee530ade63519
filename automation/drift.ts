/**
 * Drift: what a refresh would change in the state, read from the engine's events of a refresh
 * preview (`refresh --preview-only`: nothing is written). A resource is drifted when it was
 * deleted behind Pulumi's back, or when properties other than bookkeeping (status, resource
 * versions, managed fields) changed.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { DriftItem } from "./summary";

/** Property paths that change on their own and are not drift. */
const BOOKKEEPING = [
  /^status(\.|\[|$)/,
  /^metadata\.(resourceVersion|generation|managedFields|uid|creationTimestamp)/,
  /^metadata\.annotations\["?deployment\.kubernetes\.io\/revision/,
];

/** Whether a property path is bookkeeping. */
export function isBookkeeping(property: string): boolean {
  return BOOKKEEPING.some((re) => re.test(property));
}

/** The drifted resources among a refresh preview's events. */
export function driftFromEvents(events: readonly EngineEvent[]): DriftItem[] {
  const items: DriftItem[] = [];
  for (const event of events) {
    const meta = event.resOutputsEvent?.metadata;
    if (meta === undefined || meta.type.startsWith("pulumi:")) {
      continue;
    }
    const name = meta.urn.split("::").pop() ?? meta.urn;
    const id = meta.old?.id ?? meta.new?.id;
    const ids = id === undefined || id === "" ? {} : { id };
    if (meta.op === "delete") {
      items.push({
        urn: meta.urn,
        type: meta.type,
        name,
        ...ids,
        change: "deleted",
        properties: [],
      });
    } else if (meta.op === "update") {
      const properties = Object.keys(meta.detailedDiff ?? {})
        .concat(meta.diffs ?? [])
        .filter((p, i, all) => all.indexOf(p) === i && !isBookkeeping(p))
        .sort();
      const reported = Object.keys(meta.detailedDiff ?? {}).length + (meta.diffs ?? []).length;
      // Without a detailed diff the engine still says it changed: report it whole.
      if (properties.length > 0 || reported === 0) {
        items.push({ urn: meta.urn, type: meta.type, name, ...ids, change: "changed", properties });
      }
    }
  }
  return items.sort((a, b) => a.urn.localeCompare(b.urn));
}
