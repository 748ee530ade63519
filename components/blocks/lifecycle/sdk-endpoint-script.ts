/**
 * Where the SDK endpoint's script lives: one file (sdk-endpoint.js, Node's own modules only) that
 * the lifecycle Job's sidecar runs from a ConfigMap and `npm run sdk-endpoint` runs locally.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Absolute path of the script. */
export const SDK_ENDPOINT_SCRIPT = path.join(__dirname, "sdk-endpoint.js");

/** The script's text, as the ConfigMap carries it. */
export function sdkEndpointScript(): string {
  return fs.readFileSync(SDK_ENDPOINT_SCRIPT, "utf8");
}
