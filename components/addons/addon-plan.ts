/**
 * What the switched-on add-ons need from the rest of the configuration: their NodePort claims
 * (they join the stack's one plan), their images (required only when on), and the cross-field
 * checks no single schema can make — reported at preview like every other config problem.
 */
import type { ConfigProblem } from "../config/config-errors";
import { CONFIG_NAMESPACE } from "../config/config-namespace";
import type { ImageKey } from "../config/images";
import type { NetworkEndpoints } from "../config/network-endpoints";
import type { NodePortClaim } from "../cluster/ports";
import type { AddonKey, AddonsSettings } from "./addon-settings";

/** Add-ons in the order they are declared and reported. */
export const ADDON_KEYS: readonly AddonKey[] = [
  "containerRegistry",
  "assetsRegistry",
  "inferenceServer",
  "policyExecutor",
  "modelSplitter",
];

/** The network endpoint of each add-on's registry. */
export const ADDON_REGISTRIES: Readonly<Record<AddonKey, keyof NetworkEndpoints>> = {
  containerRegistry: "containers_registry_url",
  assetsRegistry: "assets_registry_url",
  inferenceServer: "inference_servers_registry_url",
  policyExecutor: "policy_db_url",
  modelSplitter: "split_runners_registry_url",
};

/** The switched-on add-ons. */
export function enabledAddons(addons: AddonsSettings): AddonKey[] {
  return ADDON_KEYS.filter((k) => addons[k] !== undefined);
}

/** The switched-on add-ons that register when the stack does. */
export function registeredAddons(addons: AddonsSettings): AddonKey[] {
  return enabledAddons(addons).filter((k) => addons[k]?.register === true);
}

/** The NodePort claims of the switched-on add-ons. */
export function addonClaims(addons: AddonsSettings): NodePortClaim[] {
  return [
    ...(addons.containerRegistry ? (["containerRegistry"] as const) : []),
    ...(addons.assetsRegistry ? (["assetsRegistry"] as const) : []),
    ...(addons.inferenceServer ? (["inferenceGrpc", "inferenceRest"] as const) : []),
    ...(addons.policyExecutor ? (["policyExecutor"] as const) : []),
    ...(addons.policyExecutor?.exposeRedis === true ? (["policyExecutorRedis"] as const) : []),
    ...(addons.modelSplitter ? (["modelSplitter"] as const) : []),
  ];
}

/** The images the switched-on add-ons run. */
export function addonImageKeys(addons: AddonsSettings): ImageKey[] {
  const keys = new Set<ImageKey>();
  if (addons.containerRegistry) {
    keys.add("containerRegistry");
  }
  if (addons.assetsRegistry) {
    ["mongo", "assetsRegistry", "minioClient"].forEach((k) => keys.add(k as ImageKey));
    if (addons.assetsRegistry.objectStore.type === "minio") {
      keys.add("minio");
    }
  }
  if (addons.inferenceServer) {
    ["timescaledb", "redis", "inferenceServer"].forEach((k) => keys.add(k as ImageKey));
  }
  if (addons.policyExecutor) {
    ["redis", "policyExecutor"].forEach((k) => keys.add(k as ImageKey));
  }
  if (addons.modelSplitter) {
    keys.add("splitRunner");
  }
  return [...keys];
}

/** What the rest of the configuration says that the add-ons depend on. */
export interface AddonContext {
  readonly network: NetworkEndpoints;
  /** Whether the stack registers with the AIOS network (the add-ons too). */
  readonly register: boolean;
  readonly gatewayEnabled: boolean;
  /** The executor's planned NodePort. */
  readonly executorNodePort?: number;
}

/** Where the policy system believes every executor listens (aios-spec §3.4, hard-coded). */
const UPSTREAM_EXECUTOR_PORT = 30900;

/** Problems between the add-ons and the rest of the configuration. */
export function addonProblems(addons: AddonsSettings, ctx: AddonContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (ctx.register) {
    for (const key of registeredAddons(addons)) {
      const endpoint = ADDON_REGISTRIES[key];
      if (ctx.network[endpoint] === undefined) {
        problems.push({
          path: `${CONFIG_NAMESPACE}:network.${endpoint}`,
          message: `is required to register the ${key} add-on (aios-infra:registration.enabled is true)`,
          received: "nothing",
        });
      }
    }
  }
  if (
    addons.policyExecutor?.register === true &&
    ctx.register &&
    ctx.executorNodePort !== UPSTREAM_EXECUTOR_PORT
  ) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:nodePorts.policyExecutor`,
      message: `must stay ${UPSTREAM_EXECUTOR_PORT} while the executor is registered: the policy system records every executor at http://<cluster_public_ip>:${UPSTREAM_EXECUTOR_PORT}`,
      received: String(ctx.executorNodePort),
    });
  }
  if (addons.policyExecutor && !ctx.gatewayEnabled) {
    problems.push({
      path: `${CONFIG_NAMESPACE}:addons.policyExecutor`,
      message:
        "needs the gateway (its route /executor/<id> is an Ambassador Mapping); set aios-infra:gateway.enabled to true",
      received: "an executor with the gateway disabled",
    });
  }
  return problems;
}
