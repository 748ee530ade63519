/**
 * Pure builders of a virtual node's objects: the Node it is (labels, interLink's taint), the
 * virtual kubelet's and interLink's config files, the least-privilege access of the virtual
 * kubelet (what its client-go calls use — interlink.md §3 — and nothing for the tunnel or mesh
 * features this program does not switch on), the pod (virtual kubelet, and in `in-cluster` mode
 * interLink and the plugin on loopback), and the placement a pod needs to land on the node.
 */
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import { rule, type Access } from "../k8s/access";
import { NODE_ID_LABEL, recommendedLabels } from "../k8s/labels";
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer } from "../k8s/workload-specs";
import type { VirtualNodeSettings } from "./virtual-node-settings";

/** The taint the virtual kubelet always puts on its node. */
export const VIRTUAL_NODE_TAINT = {
  key: "virtual-node.interlink/no-schedule",
  value: "true",
  effect: "NoSchedule",
} as const;

/** Namespace of the virtual kubelets. */
export const INTERLINK_NAMESPACE = "interlink";

/** Where the config files are mounted. */
export const MOUNTS = {
  vkConfig: "/etc/interlink/vk",
  interlinkConfig: "/etc/interlink/api",
  credentials: "/etc/interlink/credentials",
} as const;

/** Pod annotation carrying a checksum of the config files: a change rolls the pod. */
export const CONFIG_CHECKSUM_ANNOTATION = "aios.io/config-checksum";

/** A checksum of the node's (non-secret) config files. */
export function configChecksum(ctx: VirtualNodeContext): string {
  const s = ctx.settings;
  const files = [
    virtualKubeletConfig(ctx, ctx.nodeId),
    s.backend.mode === "in-cluster" ? interlinkConfig(s) : null,
    s.backend.mode === "in-cluster" ? (s.backend.plugin.config ?? null) : null,
    s.backend.mode === "remote" ? (s.backend.caCertificate ?? null) : null,
  ];
  return createHash("sha256").update(JSON.stringify(files)).digest("hex").slice(0, 16);
}

/** The config file name both binaries read. */
export const CONFIG_FILE = "InterLinkConfig.yaml";

/** The remote endpoint's CA, next to the config file: DER, as the virtual kubelet parses it. */
export const CA_FILE = "interlink-ca.der";

/** A PEM certificate's DER bytes, base64-encoded (its body), for a ConfigMap's binaryData. */
export function derBase64(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (body === undefined) {
    throw new Error("not a PEM certificate");
  }
  return body.replace(/\s+/g, "");
}

/** What a virtual node's objects are built from. */
export interface VirtualNodeContext {
  readonly clusterId: string;
  /** The AIOS node id (`nodeID` label). */
  readonly nodeId: string;
  /** Kubernetes node name (the document node's `kubernetesNodeName`, else its id). */
  readonly nodeName: string;
  readonly settings: VirtualNodeSettings;
  /** The document node: its CPU, memory (MB) and GPUs are advertised unless overridden. */
  readonly documentNode: {
    readonly vcpus: number;
    readonly memoryMB: number;
    readonly gpuCount: number;
    readonly gpuModel?: string;
  };
}

/** Object names derived from the node name. */
export function virtualNodeNames(nodeName: string) {
  return {
    workload: nodeName,
    vkConfig: `${nodeName}-vk-config`,
    interlinkConfig: `${nodeName}-interlink-config`,
    pluginConfig: `${nodeName}-plugin-config`,
    credentials: `${nodeName}-credentials`,
  } as const;
}

/** What a pod must carry to run on a virtual node. */
export interface Placement {
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: k8s.types.input.core.v1.Toleration[];
}

/** The nodeSelector and tolerations a pod must carry to run on the virtual node. */
export function virtualNodePlacement(
  nodeName: string,
  settings: Pick<VirtualNodeSettings, "taints">,
): Placement {
  return {
    nodeSelector: { "kubernetes.io/hostname": nodeName },
    tolerations: [
      { key: VIRTUAL_NODE_TAINT.key, operator: "Exists", effect: VIRTUAL_NODE_TAINT.effect },
      ...settings.taints.map((t) => ({
        key: t.key,
        operator: "Equal",
        value: t.value,
        effect: t.effect,
      })),
    ],
  };
}

/** The Node object: the stack owns it (labels, taints), the virtual kubelet its status and lease. */
export function virtualNodeObject(ctx: VirtualNodeContext, nodeId: string) {
  return {
    metadata: {
      name: ctx.nodeName,
      labels: {
        ...recommendedLabels({
          name: ctx.nodeName,
          component: "virtual-node",
          clusterId: ctx.clusterId,
        }),
        [NODE_ID_LABEL]: nodeId,
        "kubernetes.io/hostname": ctx.nodeName,
        "virtual-node.interlink/type": "virtual-kubelet",
      },
    },
    spec: {
      providerID: `external:///${ctx.nodeName}`,
      taints: [
        { ...VIRTUAL_NODE_TAINT },
        ...ctx.settings.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      ],
    },
  };
}

/**
 * A GPU model as a label value: the virtual kubelet labels its Node `nvidia-gpu-type=<Model>`,
 * and a model with a space ("NVIDIA L4") makes the Node invalid — the virtual kubelet exits.
 * Characters outside `[A-Za-z0-9._-]` become `-`; at most 63 characters, alphanumeric at both
 * ends; undefined when nothing is left.
 */
export function gpuModelLabel(model: string): string | undefined {
  const value = model
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
  return value === "" ? undefined : value;
}

/** The resources the node advertises: the settings, else the document node's. */
export function advertisedResources(ctx: VirtualNodeContext) {
  const r = ctx.settings.resources;
  const d = ctx.documentNode;
  const accelerators =
    r.accelerators ??
    (d.gpuCount > 0
      ? [
          {
            resourceType: "nvidia.com/gpu" as const,
            ...(d.gpuModel === undefined ? {} : { model: d.gpuModel }),
            available: d.gpuCount,
          },
        ]
      : []);
  return {
    CPU: r.cpu ?? String(Math.max(d.vcpus, 1)),
    Memory: r.memory ?? `${Math.max(d.memoryMB, 1)}Mi`,
    Pods: String(r.pods),
    Accelerators: accelerators.map((a) => {
      const model = a.model === undefined ? undefined : gpuModelLabel(a.model);
      return {
        ResourceType: a.resourceType,
        ...(model === undefined ? {} : { Model: model }),
        Available: a.available,
      };
    }),
  };
}

const logging = (s: VirtualNodeSettings) => ({
  VerboseLogging: s.logging === "verbose",
  ErrorsOnlyLogging: s.logging === "errors-only",
});

/** The URL and port the virtual kubelet calls interLink at. */
export function interlinkEndpoint(s: VirtualNodeSettings): { url: string; port: string } {
  if (s.backend.mode === "in-cluster") {
    return { url: "http://127.0.0.1", port: String(s.backend.interlinkPort) };
  }
  const u = new URL(s.backend.url);
  const port = s.backend.port ?? (u.port === "" ? 443 : Number(u.port));
  u.port = "";
  return { url: u.toString().replace(/\/$/, ""), port: String(port) };
}

/** The virtual kubelet's config file (pkg/virtualkubelet/config.go keys). */
export function virtualKubeletConfig(ctx: VirtualNodeContext, nodeId: string) {
  const s = ctx.settings;
  const endpoint = interlinkEndpoint(s);
  const remote = s.backend.mode === "remote" ? s.backend : undefined;
  return {
    InterlinkURL: endpoint.url,
    InterlinkPort: endpoint.port,
    ServiceAccount: virtualNodeNames(ctx.nodeName).workload,
    Namespace: INTERLINK_NAMESPACE,
    VKTokenFile: remote?.auth === "token" ? `${MOUNTS.credentials}/token` : "",
    ...logging(s),
    // HTTP.CaCert is read with x509.ParseCertificate: DER, not PEM.
    HTTP: {
      Insecure: false,
      ...(remote?.caCertificate === undefined ? {} : { CaCert: `${MOUNTS.vkConfig}/${CA_FILE}` }),
    },
    ...(remote?.auth === "client-certificate"
      ? {
          TLS: {
            Enabled: true,
            CertFile: `${MOUNTS.credentials}/tls.crt`,
            KeyFile: `${MOUNTS.credentials}/tls.key`,
            CACertFile: `${MOUNTS.credentials}/ca.crt`,
          },
        }
      : {}),
    // A self-signed serving certificate for the kubelet API: no CSR to approve, no CSR rights.
    DisableCSR: true,
    DisableProjectedVolumes: !s.projectedVolumes,
    Resources: advertisedResources(ctx),
    NodeLabels: [`${NODE_ID_LABEL}=${nodeId}`],
    NodeTaints: s.taints.map((t) => ({ Key: t.key, Value: t.value, Effect: t.effect })),
  };
}

/** interLink's config file (in-cluster mode): API and plugin on loopback. */
export function interlinkConfig(s: VirtualNodeSettings) {
  if (s.backend.mode !== "in-cluster") {
    throw new Error("interlinkConfig: only the in-cluster mode runs interLink in the cluster");
  }
  return {
    // Listens on the pod's addresses so the readiness probe reaches it; the NetworkPolicy
    // closes the port to every other pod.
    InterlinkAddress: "http://0.0.0.0",
    InterlinkPort: String(s.backend.interlinkPort),
    SidecarURL: "http://127.0.0.1",
    SidecarPort: String(s.backend.plugin.port),
    ...logging(s),
  };
}

/**
 * The virtual kubelet's access. Pods, ConfigMaps, Secrets and Services are watched in every
 * namespace (it sends a pod's ConfigMaps and Secrets with it), so those reads are cluster-wide;
 * writes are limited to pods (status, deletion), its own Node's status and its lease.
 */
export function virtualKubeletAccess(
  nodeName: string,
  s: Pick<VirtualNodeSettings, "projectedVolumes">,
): Access {
  const own = (r: ReturnType<typeof rule>) => ({ ...r, resourceNames: [nodeName] });
  return {
    cluster: [
      // Creation cannot be limited by name; reads and status writes only reach its own node.
      rule("", ["nodes"], ["create"]),
      own(rule("", ["nodes"], ["get"])),
      own(rule("", ["nodes/status"], ["patch"])),
      rule("", ["pods"], ["get", "list", "watch", "patch", "delete"]),
      rule("", ["pods/status"], ["update", "patch"]),
      rule("", ["configmaps", "secrets"], ["get", "list", "watch"]),
      rule("", ["services"], ["list", "watch"]),
      rule("", ["namespaces"], ["get", "list", "watch"]),
      ...(s.projectedVolumes ? [rule("", ["serviceaccounts/token"], ["create"])] : []),
    ],
    namespaced: {
      "kube-node-lease": [
        rule("coordination.k8s.io", ["leases"], ["create"]),
        own(rule("coordination.k8s.io", ["leases"], ["get", "update"])),
      ],
    },
  };
}

/** The pod: the virtual kubelet, and in-cluster interLink and the plugin. */
export function virtualNodeWorkload(ctx: VirtualNodeContext): WorkloadArgs {
  const s = ctx.settings;
  const names = virtualNodeNames(ctx.nodeName);
  const remote = s.backend.mode === "remote";
  const configVolume = (name: string, configMap: string) => ({
    name,
    configMap: { name: configMap },
  });
  const vk = buildContainer({
    name: "virtual-kubelet",
    image: s.images.virtualKubelet,
    ports: [{ name: "kubelet", containerPort: s.kubeletPort }],
    readiness: { port: "kubelet", tcp: true },
    resources: { cpuMillicores: 100, memoryMiB: 128, memoryLimitMiB: 512 },
    env: {
      NODENAME: ctx.nodeName,
      KUBELET_PORT: String(s.kubeletPort),
      CONFIGPATH: `${MOUNTS.vkConfig}/${CONFIG_FILE}`,
    },
    fieldEnv: { POD_IP: "status.podIP" },
    volumeMounts: [
      { name: "vk-config", mountPath: MOUNTS.vkConfig, readOnly: true },
      ...(remote ? [{ name: "credentials", mountPath: MOUNTS.credentials, readOnly: true }] : []),
    ],
  });
  const volumes = [
    configVolume("vk-config", names.vkConfig),
    ...(remote ? [{ name: "credentials", secret: { secretName: names.credentials } }] : []),
  ];
  if (s.backend.mode === "remote") {
    return workload(ctx, [vk], volumes);
  }
  const plugin = s.backend.plugin;
  const interlink = buildContainer({
    name: "interlink",
    image: s.images.interlink,
    ports: [{ name: "interlink", containerPort: s.backend.interlinkPort }],
    readiness: { port: "interlink", tcp: true },
    resources: { cpuMillicores: 100, memoryMiB: 128, memoryLimitMiB: 512 },
    env: { INTERLINKCONFIGPATH: `${MOUNTS.interlinkConfig}/${CONFIG_FILE}` },
    volumeMounts: [{ name: "interlink-config", mountPath: MOUNTS.interlinkConfig, readOnly: true }],
  });
  const pluginContainer = buildContainer({
    name: "plugin",
    image: plugin.image,
    ports: [{ name: "plugin", containerPort: plugin.port }],
    readiness: { port: "plugin", tcp: true },
    resources: { cpuMillicores: 100, memoryMiB: 256, memoryLimitMiB: 1024 },
    env: plugin.env,
    ...(plugin.command === undefined ? {} : { command: plugin.command }),
    ...(plugin.args === undefined ? {} : { args: plugin.args }),
    volumeMounts:
      plugin.config === undefined
        ? []
        : [
            {
              name: "plugin-config",
              mountPath: plugin.configPath,
              subPath: "plugin.yaml",
              readOnly: true,
            },
          ],
  });
  return workload(
    ctx,
    [vk, interlink, pluginContainer],
    [
      ...volumes,
      configVolume("interlink-config", names.interlinkConfig),
      // A Secret, not a ConfigMap: plugin configs often hold the remote system's credentials.
      ...(plugin.config === undefined
        ? []
        : [{ name: "plugin-config", secret: { secretName: names.pluginConfig } }]),
    ],
  );
}

function workload(
  ctx: VirtualNodeContext,
  containers: WorkloadArgs["containers"],
  volumes: WorkloadArgs["volumes"],
): WorkloadArgs {
  return {
    clusterId: ctx.clusterId,
    namespace: INTERLINK_NAMESPACE,
    name: virtualNodeNames(ctx.nodeName).workload,
    component: "virtual-kubelet",
    kind: "Deployment",
    containers,
    volumes,
    access: virtualKubeletAccess(ctx.nodeName, ctx.settings),
    // One virtual kubelet per node at any time (two would submit the same pods twice), and a new
    // one whenever its config changes (the binaries read it once, at start).
    strategy: "Recreate",
    podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(ctx) },
    // The API server calls the kubelet port for logs (from its CIDRs when given); every other
    // port stays closed.
    ingress: [
      {
        ports: [{ port: ctx.settings.kubeletPort, protocol: "TCP" }],
        ...(ctx.settings.apiServerCidrs.length === 0
          ? {}
          : { from: ctx.settings.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })) }),
      },
    ],
  };
}
