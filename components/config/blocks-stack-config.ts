/**
 * The configuration of a blocks-only stack: blocks deployed onto the cluster of a cluster stack it
 * references (`aios-infra:clusterStack`), so block owners ship blocks without touching the
 * platform stack. The cluster id and the network's endpoints come from that stack's outputs.
 */
import { z } from "zod";
import { blockImageKeys, blocksSettingsSchema, type BlockSettings } from "../blocks/block-settings";
import { imagesSchema, resolveImages, type ResolvedImages } from "./images";
import { ConfigError, problemsFromZod, type ConfigProblem } from "./config-errors";
import { CONFIG_NAMESPACE, ENVIRONMENTS, type Environment } from "./config-namespace";

/** The settings a blocks-only stack reads. */
export const BLOCKS_STACK_KEYS = [
  "environment",
  "clusterStack",
  "blocks",
  "images",
  "kubeconfig",
] as const;

/** A fully qualified stack name, as StackReferences take it. */
export const stackName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
  error:
    "must be a fully qualified stack name <organization>/<project>/<stack> (file:// backends use the organization 'organization')",
});

/** `aios-infra:*` of a blocks-only stack. */
export const blocksStackConfigSchema = z.strictObject({
  /** Deployment environment. @default "dev" */
  environment: z.enum(ENVIRONMENTS).default("dev"),
  /** The cluster stack whose cluster the blocks go to. */
  clusterStack: stackName,
  /** Third-party blocks. @default [] */
  blocks: blocksSettingsSchema,
  /** The lifecycle's images (only `sdkEndpoint`). @default - the pinned default */
  images: z.strictObject({ sdkEndpoint: imagesSchema.unwrap().shape.sdkEndpoint }).default({}),
});

/** The parsed configuration of a blocks-only stack. */
export interface BlocksStackConfig {
  readonly kind: "blocks";
  readonly environment: Environment;
  readonly clusterStack: string;
  readonly blocks: readonly BlockSettings[];
  /** The SDK endpoint's image, default applied, when a block speaks the SDK. */
  readonly images: ResolvedImages;
}

/**
 * Parses a blocks-only stack's config; `setKeys` are every namespace key the stack sets, and each
 * that such a stack does not read (the cluster document, NodePorts, …) is reported.
 */
export function parseBlocksStackConfig(
  raw: Readonly<Record<string, unknown>>,
  setKeys: readonly string[],
): BlocksStackConfig {
  const problems: ConfigProblem[] = [...new Set(setKeys)]
    .filter((k) => !(BLOCKS_STACK_KEYS as readonly string[]).includes(k))
    .map((key) => ({
      path: `${CONFIG_NAMESPACE}:${key}`,
      message: `is not used by a blocks-only stack (aios-infra:clusterStack is set; the cluster stack owns it); its settings: ${BLOCKS_STACK_KEYS.join(", ")}`,
      received: "a value",
    }));
  const allowed = Object.fromEntries(
    Object.entries(raw).filter(([k]) => (BLOCKS_STACK_KEYS as readonly string[]).includes(k)),
  );
  const parsed = blocksStackConfigSchema.safeParse(allowed, { reportInput: true });
  if (!parsed.success) {
    problems.push(...problemsFromZod(CONFIG_NAMESPACE, parsed.error.issues));
  } else {
    parsed.data.blocks.forEach((b, i) => {
      if (b.offload !== undefined) {
        problems.push({
          path: `${CONFIG_NAMESPACE}:blocks[${i}].offload`,
          message:
            "is only available in the cluster stack that declares the virtual node (aios-infra:virtualNodes); move the block there",
          received: JSON.stringify(b.offload),
        });
      }
    });
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }
  const images = resolveImages(
    parsed.data.images,
    parsed.data.environment,
    blockImageKeys(parsed.data.blocks),
  );
  if (images.problems.length > 0) {
    throw new ConfigError(images.problems);
  }
  return { kind: "blocks", ...parsed.data, images: images.images };
}
