/**
 * `aios-infra:blocks`: third-party blocks, each with its system — a Helm release, an externally
 * managed URL, or none (its init container installs it) — and optional init-container hooks.
 */
import { z } from "zod";
import { ADDON_NAMESPACES } from "../addons/addon-endpoints";
import { chartSourceSchema } from "../k8s/chart-source";
import { dnsLabel } from "../config/cluster-document";
import { parseImageRef } from "../config/images";
import { LIFECYCLE_ENV } from "./lifecycle/init-container-contract";

/** The namespace blocks' systems go to unless they name one. */
export const DEFAULT_BLOCK_NAMESPACE = "third-party";

/** Block ids leave room for the `-init-create` / `-init-status` suffixes in 63 characters. */
const blockId = dnsLabel.refine((v) => v.length <= 50, { error: "must be at most 50 characters" });

const urlName = z.string().regex(/^[a-z][a-z0-9_]*$/, {
  error: "must be a snake_case name such as server_url",
});

/** A URL the block exposes, computed from a Service of its release. */
const serviceUrlSchema = z.strictObject({
  /** Service name. @default - the release name (`<blockId>-<name>`) */
  service: z.string().min(1).optional(),
  /** Service port: its name or number. */
  port: z.union([z.string().min(1), z.int().min(1).max(65535)]),
  /** @default "http" */
  scheme: z
    .string()
    .regex(/^[a-z][a-z0-9+.-]*$/)
    .default("http"),
  /** Path appended to the URL. @default "" */
  path: z.string().default(""),
});

const helmSystem = z.strictObject({
  kind: z.literal("helm"),
  chart: chartSourceSchema,
  /** Chart values. @default {} */
  values: z.record(z.string(), z.unknown()).default({}),
  /** URLs the block exposes, by name (`server_url`, `metrics_url`, …). @default {} */
  urls: z.record(urlName, serviceUrlSchema).default({}),
  /** Seconds Helm waits for the release to be ready. @default 600 */
  timeoutSeconds: z.int().min(30).max(3600).default(600),
});

const externalSystem = z.strictObject({
  kind: z.literal("external"),
  /** URLs of the externally managed system, by name. */
  urls: z.record(
    urlName,
    z.url({ error: "must be an absolute URL such as http://triton.example.org:8000" }),
  ),
  /**
   * Operator-supplied local commands that create and remove the system (run by @pulumi/command
   * where `pulumi up` runs; BLOCK_ID and CLUSTER_ID are in their environment). @default - none
   */
  commands: z
    .strictObject({
      create: z.string().min(1),
      delete: z.string().min(1).optional(),
      /** Extra environment of both commands. @default {} */
      environment: z.record(z.string(), z.string()).default({}),
      /** Working directory (relative paths: from where `pulumi` runs). @default - that directory */
      dir: z.string().min(1).optional(),
    })
    .optional(),
});

const noSystem = z.strictObject({ kind: z.literal("none") });

/** The init container that installs (create) and removes (delete) the block's system. */
export const initContainerSettingsSchema = z.strictObject({
  image: z.string().refine((v) => parseImageRef(v) !== undefined, {
    error: "must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>]",
  }),
  /** Extra environment (not the SDK's own variables, which the lifecycle sets). @default {} */
  env: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name" })
        .refine((k) => !(LIFECYCLE_ENV as readonly string[]).includes(k), {
          error: `must not be one of ${LIFECYCLE_ENV.join(", ")}: the lifecycle sets them`,
        }),
      z.string(),
    )
    .default({}),
  /** Resource allocation passed as ALLOCATION_DATA on create. @default {} */
  allocationData: z.record(z.string(), z.unknown()).default({}),
  /** Annotations of the Job's pod. @default {} */
  podAnnotations: z
    .record(
      z
        .string()
        .regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
          error: "must be an annotation key: [prefix/]name",
        }),
      z.string(),
    )
    .default({}),
  /** Seconds one lifecycle may take. @default 900 */
  deadlineSeconds: z.int().min(5).max(86400).default(900),
  /** Pod retries before the lifecycle fails. @default 0 */
  backoffLimit: z.int().min(0).max(6).default(0),
  /**
   * How a run reports its stages: `sdk` — the image is built on the AIOS init-container SDK and
   * posts status updates to the SDK endpoint the lifecycle hosts beside it; `termination-message` —
   * the image writes one JSON status to its termination message (docs/blocks.md). @default "sdk"
   */
  statusSource: z
    .enum(["sdk", "termination-message"], {
      error: (issue) =>
        issue.input === "controller"
          ? "'controller' was removed: upstream's controller keeps a status entry only for init containers it launched and deletes it when finish arrives, so nothing is left to query; use 'sdk' (the default), where the lifecycle hosts the SDK's executeAction endpoint itself"
          : "must be 'sdk' (images built on the AIOS init-container SDK) or 'termination-message'",
    })
    .default("sdk"),
  /**
   * Port of the SDK endpoint on the Job pod's loopback (the SDK's CONTROLLER_URL,
   * BLOCK_SERVICE_URL and CLUSTER_SERVICE_URL); change it only if the image listens there.
   * @default 4000
   */
  sdkEndpointPort: z.int().min(1024).max(65535).default(4000),
  /**
   * Fields of the block document the SDK reads (`block_data`), merged over the generated ones:
   * `blockInitData`, `parameters`, `initSettings`, `policies`, … (docs/blocks.md). @default {}
   */
  blockData: z
    .record(
      z.string().refine((k) => k !== "id", { error: "must not be 'id' (the block id is)" }),
      z.unknown(),
    )
    .default({}),
  /**
   * Keep the block in the network's blocks DB: create it there before create (unless it exists),
   * write finish() output to `blockInitData.initContainer`, remove a record the stack created on
   * destroy. @default - true when the cluster is registered with the network
   */
  writeToRegistry: z.boolean().optional(),
  /**
   * Let destroy (or replacement) remove the block without running its delete lifecycle — the
   * escape hatch when that lifecycle cannot succeed. Takes effect after an `up`. @default false
   */
  skipDelete: z.boolean().default(false),
});

/** Namespaces a block may not use: the cluster's own and the gateway's. */
export const RESERVED_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "ambassador",
  ...Object.values(ADDON_NAMESPACES),
] as const;

/** Helm's limit on release names. */
const MAX_RELEASE_NAME = 53;

/** One third-party block. */
export const blockSettingsSchema = z
  .strictObject({
    /** The AIOS block id. */
    id: blockId,
    /** Name of its system (the release is `<id>-<name>`). */
    name: dnsLabel,
    /** Namespace of the system and its init container. @default "third-party" */
    namespace: dnsLabel
      .refine((ns) => !(RESERVED_NAMESPACES as readonly string[]).includes(ns), {
        error: `must not be one of ${RESERVED_NAMESPACES.join(", ")} (the cluster's, the gateway's and the add-ons' own)`,
      })
      .default(DEFAULT_BLOCK_NAMESPACE),
    system: z.discriminatedUnion("kind", [helmSystem, externalSystem, noSystem]),
    initContainer: initContainerSettingsSchema.optional(),
    /**
     * Run the system's pods on this interLink virtual node (an `aios-infra:virtualNodes` node id):
     * its nodeSelector and tolerations are merged into the chart values. @default - in the cluster
     */
    offload: z.string().min(1).optional(),
  })
  .refine((b) => b.system.kind !== "none" || b.initContainer !== undefined, {
    error: "a block whose system is 'none' needs an initContainer to install it",
    path: ["initContainer"],
  })
  .refine((b) => b.id.length + 1 + b.name.length <= MAX_RELEASE_NAME, {
    error: `id and name make the release name <id>-<name>, which Helm limits to ${MAX_RELEASE_NAME} characters`,
    path: ["name"],
  });

/** `aios-infra:blocks`. */
export const blocksSettingsSchema = z
  .array(blockSettingsSchema)
  .default([])
  .superRefine((blocks, ctx) => {
    const seen = new Map<string, number>();
    blocks.forEach((b, i) => {
      const first = seen.get(b.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [i, "id"],
          input: b.id,
          message: `duplicates [${first}].id (block ids must be unique)`,
        });
      }
      seen.set(b.id, i);
    });
  });

export type BlockSettings = z.infer<typeof blockSettingsSchema>;
export type InitContainerSettings = z.infer<typeof initContainerSettingsSchema>;

/** The images a stack's blocks need: the SDK endpoint when any block speaks the SDK. */
export function blockImageKeys(blocks: readonly BlockSettings[]): "sdkEndpoint"[] {
  return blocks.some((b) => b.initContainer?.statusSource === "sdk") ? ["sdkEndpoint"] : [];
}
