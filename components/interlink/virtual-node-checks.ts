/**
 * Cross-checks of the virtual nodes at preview: each names a node of the cluster document whose
 * Kubernetes name can name its objects; blocks offload only to declared virtual nodes and only a
 * Helm system, without placement of their own; remote nodes have their credential, in the secret
 * key (its value is never echoed).
 */
import type { ConfigProblem } from "../config/config-errors";
import { CONFIG_NAMESPACE } from "../config/config-namespace";
import { virtualNodePlacement, type Placement } from "./virtual-node-specs";
import { interlinkCredentialSchema, type VirtualNodeSettings } from "./virtual-node-settings";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Node names name the virtual kubelet's objects (`<node>-vk-config`, …): at most 50 characters. */
export const MAX_VIRTUAL_NODE_NAME = 50;

interface DocumentNodes {
  readonly nodes: {
    readonly nodeData: readonly { readonly id: string; readonly kubernetesNodeName?: string }[];
  };
}

interface OffloadingBlock {
  readonly id: string;
  readonly offload?: string;
  readonly system: { readonly kind: string; readonly values?: Readonly<Record<string, unknown>> };
}

const at = (path: string) => `${CONFIG_NAMESPACE}:${path}`;

/** The Kubernetes name of document node `nodeId`, or undefined when there is none. */
export function virtualNodeName(doc: DocumentNodes, nodeId: string): string | undefined {
  const node = doc.nodes.nodeData.find((n) => n.id === nodeId);
  return node === undefined ? undefined : (node.kubernetesNodeName ?? node.id);
}

/** Virtual nodes naming no document node, or a node whose name cannot name objects. */
export function virtualNodeProblems(
  doc: DocumentNodes,
  virtualNodes: readonly VirtualNodeSettings[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  virtualNodes.forEach((v, i) => {
    const name = virtualNodeName(doc, v.nodeId);
    if (name === undefined) {
      problems.push({
        path: at(`virtualNodes[${i}].nodeId`),
        message: `names no node of aios-infra:cluster.nodes.nodeData (ids: ${doc.nodes.nodeData.map((n) => n.id).join(", ")})`,
        received: JSON.stringify(v.nodeId),
      });
    } else if (name.length > MAX_VIRTUAL_NODE_NAME || !DNS_LABEL.test(name)) {
      problems.push({
        path: at(`virtualNodes[${i}].nodeId`),
        message: `its Kubernetes node name must be a DNS-1123 label of at most ${MAX_VIRTUAL_NODE_NAME} characters (it names the virtual kubelet's objects)`,
        received: JSON.stringify(name),
      });
    }
  });
  return problems;
}

/** Blocks offloading to an unknown virtual node, a non-Helm system, or placing pods themselves. */
export function offloadProblems(
  blocks: readonly OffloadingBlock[],
  virtualNodes: readonly VirtualNodeSettings[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  blocks.forEach((b, i) => {
    if (b.offload === undefined) {
      return;
    }
    if (!virtualNodes.some((v) => v.nodeId === b.offload)) {
      problems.push({
        path: at(`blocks[${i}].offload`),
        message: `names no virtual node; declared: ${virtualNodes.map((v) => v.nodeId).join(", ") || "none (set aios-infra:virtualNodes)"}`,
        received: JSON.stringify(b.offload),
      });
    } else if (b.system.kind !== "helm") {
      problems.push({
        path: at(`blocks[${i}].offload`),
        message: `applies to Helm systems (their pods are placed through the chart values); this system is '${b.system.kind}'`,
        received: JSON.stringify(b.offload),
      });
    } else {
      for (const key of ["nodeSelector", "tolerations"]) {
        if (b.system.values !== undefined && key in b.system.values) {
          problems.push({
            path: at(`blocks[${i}].system.values.${key}`),
            message: "is set by the stack from offload (the virtual node's placement); remove it",
            received: "a value",
          });
        }
      }
    }
  });
  return problems;
}

/** Remote virtual nodes without a valid credential in `aios-infra:interlinkCredentials`. */
export function credentialProblems(
  virtualNodes: readonly VirtualNodeSettings[],
  credentials: unknown,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byNode =
    typeof credentials === "object" && credentials !== null
      ? (credentials as Record<string, unknown>)
      : {};
  for (const v of virtualNodes) {
    if (v.backend.mode !== "remote") {
      continue;
    }
    const path = at(`interlinkCredentials.${v.nodeId}`);
    const credential = byNode[v.nodeId];
    if (credential === undefined) {
      problems.push({
        path,
        message: `is required for the remote virtual node ${v.nodeId}: set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:interlinkCredentials '{"${v.nodeId}": {"token": "…"}}'\``,
        received: "nothing",
      });
      continue;
    }
    const parsed = interlinkCredentialSchema.safeParse(credential);
    const want = v.backend.auth === "token" ? "token" : "clientCertificate";
    if (!parsed.success || !(want in parsed.data)) {
      problems.push({
        path,
        message:
          v.backend.auth === "token"
            ? "must be {token} (backend.auth is token)"
            : "must be {clientCertificate, clientKey, caCertificate} in PEM (backend.auth is client-certificate)",
        // A credential is never echoed.
        received: "a value",
      });
    }
  }
  return problems;
}

/** The placement of each offloaded block, by block id. */
export function blockPlacements(
  doc: DocumentNodes,
  blocks: readonly OffloadingBlock[],
  virtualNodes: readonly VirtualNodeSettings[],
): Record<string, Placement> {
  const out: Record<string, Placement> = {};
  for (const b of blocks) {
    const v = virtualNodes.find((n) => n.nodeId === b.offload);
    const name = v === undefined ? undefined : virtualNodeName(doc, v.nodeId);
    if (v !== undefined && name !== undefined) {
      out[b.id] = virtualNodePlacement(name, v);
    }
  }
  return out;
}
