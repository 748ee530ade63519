/**
 * What every add-on registration shares: a stable entry id (so a re-run after lost state finds
 * the same entry instead of adding a second one) and the entry's name default.
 */
import { v5 as uuidv5 } from "uuid";
import type { AddonKey } from "./addon-settings";

/** The namespace of aios-infra's entry ids (a v5 UUID of the project's URL). */
const ENTRY_ID_NAMESPACE = uuidv5("https://github.com/aios-infra/aios-infra", uuidv5.URL);

/** The stable id of an add-on's registry entry: a v5 UUID of `<clusterId>/<add-on>`. */
export function addonEntryId(clusterId: string, addon: AddonKey): string {
  return uuidv5(`${clusterId}/${addon}`, ENTRY_ID_NAMESPACE);
}

/** The entry's name: configured, else `<clusterId>-<suffix>`. */
export function entryName(clusterId: string, configured: string | undefined, suffix: string) {
  return configured ?? `${clusterId}-${suffix}`;
}
