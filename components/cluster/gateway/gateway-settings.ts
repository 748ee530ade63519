/**
 * `aios-infra:gateway`: the Ambassador/Emissary gateway's chart and switches. The chart is pinned:
 * from a repository with an exact version, or a local chart directory (offline clusters, tests).
 */
import { z } from "zod";
import { chartSourceSchema } from "../../k8s/chart-source";

/** Mapping API versions: `getambassador.io/v2` (Ambassador 1.x) or v3alpha1 (Emissary 2/3). */
export const MAPPING_API_VERSIONS = ["getambassador.io/v2", "getambassador.io/v3alpha1"] as const;
export type MappingApiVersion = (typeof MAPPING_API_VERSIONS)[number];

/** The chart upstream AIOS installs (datawire/ambassador, aios-spec §1.2), pinned. */
export const DEFAULT_GATEWAY_CHART = {
  repository: "https://app.getambassador.io",
  name: "ambassador",
  version: "6.9.5",
} as const;

/** `aios-infra:gateway`. */
export const gatewaySettingsSchema = z
  .strictObject({
    /** Install the gateway. Required when the cluster routes through it. @default true */
    enabled: z.boolean().default(true),
    /** The chart. @default DEFAULT_GATEWAY_CHART */
    chart: chartSourceSchema.default(DEFAULT_GATEWAY_CHART),
    /** API version of the Mappings. @default "getambassador.io/v2" (the default chart's) */
    mappingApiVersion: z.enum(MAPPING_API_VERSIONS).default("getambassador.io/v2"),
    /** Gateway replicas. @default 1 */
    replicas: z.int().min(1).max(20).default(1),
    /** Extra chart values, merged over the stack's own (service ports come from the plan). */
    values: z.record(z.string(), z.unknown()).default({}),
  })
  .default({
    enabled: true,
    chart: DEFAULT_GATEWAY_CHART,
    mappingApiVersion: "getambassador.io/v2",
    replicas: 1,
    values: {},
  });

/** The parsed gateway settings. */
export type GatewaySettings = z.infer<typeof gatewaySettingsSchema>;
