/**
 * `aios-infra:virtualNodes`: interLink virtual nodes that let a cluster without (enough) GPUs
 * offload block instances to remote resources (an HPC batch system, another cluster). Each entry
 * turns a node of the cluster document into a virtual node: a virtual kubelet registers it, and
 * its pods go to an interLink API server and a plugin — in the same pod (`in-cluster`), or at a
 * remote interLink endpoint reached over HTTPS with a bearer token or a client certificate kept in
 * the secret `aios-infra:interlinkCredentials` (`remote`).
 */
import { z } from "zod";
import { parseImageRef } from "../config/images";

/** interLink 0.6.2, the release this program's configs follow (interlink.md). */
export const INTERLINK_VERSION = "0.6.2";

/** Default images: interLink's published images, pinned to {@link INTERLINK_VERSION}. */
export const INTERLINK_IMAGES = {
  virtualKubelet: `ghcr.io/interlink-hq/interlink/virtual-kubelet-inttw:${INTERLINK_VERSION}`,
  interlink: `ghcr.io/interlink-hq/interlink/interlink:${INTERLINK_VERSION}`,
} as const;

/** Extended resources a virtual node can advertise (what the virtual kubelet knows). */
export const ACCELERATOR_TYPES = [
  "nvidia.com/gpu",
  "amd.com/gpu",
  "intel.com/gpu",
  "xilinx.com/fpga",
  "intel.com/fpga",
] as const;

const imageRef = z.string().refine((v) => parseImageRef(v) !== undefined, {
  error: "must be an image reference such as registry.example.com/team/image:1.2.3",
});
const port = z.int().min(1).max(65535);
/** A Kubernetes quantity such as `64`, `500m`, `256Gi`. */
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$/, {
  error: "must be a Kubernetes quantity such as 64, 500m or 256Gi",
});
const taintKey = z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
  error: "must be a taint key such as example.org/remote",
});

const inCluster = z.strictObject({
  mode: z.literal("in-cluster"),
  /** Port of the interLink API server inside the pod (loopback only). @default 3000 */
  interlinkPort: port.default(3000),
  /** The plugin ("sidecar") container: it talks to the remote system. */
  plugin: z.strictObject({
    image: imageRef,
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    /** Plain environment of the plugin (no credentials: put those in its config). @default {} */
    env: z.record(z.string(), z.string()).default({}),
    /**
     * The plugin's config file content, mounted at `configPath` from a Secret. It is stack config:
     * set this key with `--secret` when it holds credentials. @default - none
     */
    config: z.string().optional(),
    /** @default "/etc/interlink/plugin.yaml" */
    configPath: z.string().startsWith("/").default("/etc/interlink/plugin.yaml"),
    /** Port the plugin listens on, loopback only. @default 4000 */
    port: port.default(4000),
  }),
});

const remote = z.strictObject({
  mode: z.literal("remote"),
  /** The remote interLink API (behind its authenticating proxy); HTTPS only. */
  url: z.url({ protocol: /^https$/, error: "must be an https:// URL of the remote interLink API" }),
  /** @default - the URL's port, else 443 */
  port: port.optional(),
  /** How the virtual kubelet authenticates; the secret comes from aios-infra:interlinkCredentials. */
  auth: z.enum(["token", "client-certificate"]),
  /**
   * The CA (PEM) that signed the endpoint's server certificate, when it is not publicly trusted
   * (a site's own CA). @default - the image's trust store
   */
  caCertificate: z
    .string()
    .regex(/-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/, {
      error: "must be a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
    })
    .optional(),
});

/** One virtual node. */
export const virtualNodeSettingsSchema = z.strictObject({
  /** The cluster document node (nodes.nodeData[].id) this virtual node is. */
  nodeId: z.string().min(1),
  /** What the node advertises. @default - CPU, memory and GPUs of the document's node; 110 pods */
  resources: z
    .strictObject({
      cpu: quantity.optional(),
      memory: quantity.optional(),
      /** @default 110 */
      pods: z.int().min(1).max(100000).default(110),
      accelerators: z
        .array(
          z.strictObject({
            resourceType: z.enum(ACCELERATOR_TYPES),
            /** The GPU model; written as a label value (characters outside [A-Za-z0-9._-] become "-"). */
            model: z.string().optional(),
            available: z.int().min(0),
          }),
        )
        .optional(),
    })
    .default({ pods: 110 }),
  /** Taints beyond interLink's own `virtual-node.interlink/no-schedule`. @default [] */
  taints: z
    .array(
      z.strictObject({
        key: taintKey,
        value: z.string().default(""),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
      }),
    )
    .default([]),
  /** @default "info" */
  logging: z.enum(["info", "verbose", "errors-only"]).default("info"),
  /** Port of the kubelet API the API server calls for logs. @default 10250 */
  kubeletPort: port.default(10250),
  /**
   * Where the API server calls the kubelet port from (CIDRs of the control plane's nodes or
   * endpoint). interLink's virtual kubelet does not authenticate these calls, so set this to keep
   * other pods from reading offloaded pods' logs. @default [] (any source)
   */
  apiServerCidrs: z
    .array(
      z.union([z.cidrv4(), z.cidrv6()], {
        error: "must be an IPv4 or IPv6 CIDR, such as 10.0.0.0/24 or fd00::/64",
      }),
    )
    .default([]),
  /**
   * Send projected and service-account-token volumes with offloaded pods (needs the right to
   * create service-account tokens). @default false
   */
  projectedVolumes: z.boolean().default(false),
  /** @default - {@link INTERLINK_IMAGES} */
  images: z
    .strictObject({
      virtualKubelet: imageRef.default(INTERLINK_IMAGES.virtualKubelet),
      interlink: imageRef.default(INTERLINK_IMAGES.interlink),
    })
    .default(INTERLINK_IMAGES),
  backend: z.discriminatedUnion("mode", [inCluster, remote]),
});

/** `aios-infra:virtualNodes`. */
export const virtualNodesSchema = z
  .array(virtualNodeSettingsSchema)
  .default([])
  .superRefine((nodes, ctx) => {
    nodes.forEach((n, i) => {
      const first = nodes.findIndex((m) => m.nodeId === n.nodeId);
      if (first !== i) {
        ctx.addIssue({
          code: "custom",
          path: [i, "nodeId"],
          message: `duplicates virtualNodes[${first}].nodeId`,
          input: n.nodeId,
        });
      }
    });
  });

/** A token, or a client certificate and key (PEM), for one remote virtual node. */
export const interlinkCredentialSchema = z.union([
  z.strictObject({ token: z.string().min(1) }),
  z.strictObject({
    clientCertificate: z.string().includes("BEGIN CERTIFICATE"),
    clientKey: z.string().includes("PRIVATE KEY"),
    /** CA of the remote endpoint (interLink's client reads it whenever configured). */
    caCertificate: z.string().includes("BEGIN CERTIFICATE"),
  }),
]);

/** `aios-infra:interlinkCredentials`: node id → credential (set with `--secret`). */
export const interlinkCredentialsSchema = z.record(z.string(), interlinkCredentialSchema);

export type VirtualNodeSettings = z.infer<typeof virtualNodeSettingsSchema>;
export type InterlinkCredential = z.infer<typeof interlinkCredentialSchema>;
