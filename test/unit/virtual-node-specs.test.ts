/**
 * interLink virtual nodes: settings with their defaults and refusals, and the exact objects —
 * config files (the keys the 0.6.2 binaries read), access, pod and placement.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { X509Certificate } from "node:crypto";
import fc from "fast-check";
import {
  interlinkCredentialSchema,
  INTERLINK_IMAGES,
  virtualNodesSchema,
  type VirtualNodeSettings,
} from "../../components/interlink";
import {
  configChecksum,
  derBase64,
  gpuModelLabel,
  interlinkConfig,
  virtualKubeletAccess,
  virtualKubeletConfig,
  virtualNodeObject,
  virtualNodePlacement,
  virtualNodeWorkload,
  type VirtualNodeContext,
} from "../../components/interlink";
import { credentialFiles } from "../../components/interlink";

const parse = (raw: unknown): VirtualNodeSettings[] => virtualNodesSchema.parse(raw);
const IN_CLUSTER = {
  nodeId: "hpc-1",
  backend: { mode: "in-cluster", plugin: { image: "registry.example.com/slurm-plugin:0.6.2" } },
};
const REMOTE = {
  nodeId: "hpc-2",
  backend: { mode: "remote", url: "https://interlink.hpc.example.org:30443", auth: "token" },
};
const context = (settings: VirtualNodeSettings, gpus = 0): VirtualNodeContext => ({
  clusterId: "eu-1",
  nodeId: settings.nodeId,
  nodeName: settings.nodeId,
  settings,
  documentNode: { vcpus: 64, memoryMB: 262144, gpuCount: gpus, gpuModel: "NVIDIA A100" },
});

test("defaults: pinned interLink images, 110 pods, info logging, kubelet port 10250", () => {
  const [s] = parse([IN_CLUSTER]);
  expect(s).toEqual({
    nodeId: "hpc-1",
    resources: { pods: 110 },
    taints: [],
    logging: "info",
    kubeletPort: 10250,
    apiServerCidrs: [],
    projectedVolumes: false,
    images: INTERLINK_IMAGES,
    backend: {
      mode: "in-cluster",
      interlinkPort: 3000,
      plugin: {
        image: "registry.example.com/slurm-plugin:0.6.2",
        env: {},
        configPath: "/etc/interlink/plugin.yaml",
        port: 4000,
      },
    },
  });
  expect(INTERLINK_IMAGES.virtualKubelet).toBe(
    "ghcr.io/interlink-hq/interlink/virtual-kubelet-inttw:0.6.2",
  );
});

test.each([
  [[{ ...REMOTE, backend: { ...REMOTE.backend, url: "http://x.example.org" } }], "0.backend.url"],
  [[{ ...REMOTE, backend: { ...REMOTE.backend, auth: "password" } }], "0.backend.auth"],
  [[{ ...IN_CLUSTER, resources: { cpu: "lots" } }], "0.resources.cpu"],
  [[{ ...IN_CLUSTER, taints: [{ key: "a b", effect: "NoSchedule" }] }], "0.taints.0.key"],
  [[IN_CLUSTER, IN_CLUSTER], "1.nodeId"],
  [
    [{ ...IN_CLUSTER, backend: { mode: "in-cluster", plugin: { image: "::" } } }],
    "0.backend.plugin.image",
  ],
])("refused: %j at %s", (raw, path) => {
  const r = virtualNodesSchema.safeParse(raw);
  expect(r.success).toBe(false);
  expect(r.error?.issues.map((i) => i.path.join("."))).toContain(path);
});

test("credentials: a token, or a PEM client certificate and key", () => {
  expect(interlinkCredentialSchema.safeParse({ token: "t" }).success).toBe(true);
  expect(
    interlinkCredentialSchema.safeParse({
      clientCertificate: "-----BEGIN CERTIFICATE-----\nx",
      clientKey: "-----BEGIN PRIVATE KEY-----\ny",
      caCertificate: "-----BEGIN CERTIFICATE-----\nz",
    }).success,
  ).toBe(true);
  // interLink reads the CA file whenever it is configured: it is required, not optional.
  expect(
    interlinkCredentialSchema.safeParse({
      clientCertificate: "-----BEGIN CERTIFICATE-----\nx",
      clientKey: "-----BEGIN PRIVATE KEY-----\ny",
    }).success,
  ).toBe(false);
  expect(interlinkCredentialSchema.safeParse({ password: "p" }).success).toBe(false);
  expect(credentialFiles({ token: "t" })).toEqual({ token: "t" });
  expect(credentialFiles({ clientCertificate: "c", clientKey: "k", caCertificate: "a" })).toEqual({
    "tls.crt": "c",
    "tls.key": "k",
    "ca.crt": "a",
  });
});

test("in-cluster: the virtual kubelet calls interLink on loopback, which calls the plugin", () => {
  const [s] = parse([{ ...IN_CLUSTER, logging: "verbose" }]);
  expect(virtualKubeletConfig(context(s, 4), "hpc-1")).toEqual({
    InterlinkURL: "http://127.0.0.1",
    InterlinkPort: "3000",
    ServiceAccount: "hpc-1",
    Namespace: "interlink",
    VKTokenFile: "",
    VerboseLogging: true,
    ErrorsOnlyLogging: false,
    HTTP: { Insecure: false },
    DisableCSR: true,
    DisableProjectedVolumes: true,
    Resources: {
      CPU: "64",
      Memory: "262144Mi",
      Pods: "110",
      Accelerators: [{ ResourceType: "nvidia.com/gpu", Model: "NVIDIA-A100", Available: 4 }],
    },
    NodeLabels: ["nodeID=hpc-1"],
    NodeTaints: [],
  });
  expect(interlinkConfig(s)).toEqual({
    InterlinkAddress: "http://0.0.0.0",
    InterlinkPort: "3000",
    SidecarURL: "http://127.0.0.1",
    SidecarPort: "4000",
    VerboseLogging: true,
    ErrorsOnlyLogging: false,
  });
});

test("remote: HTTPS to the remote interLink with a bearer token or a client certificate", () => {
  const [token, cert] = parse([
    { ...REMOTE, resources: { cpu: "256", memory: "1Ti", pods: 500 } },
    {
      ...REMOTE,
      nodeId: "hpc-3",
      backend: { ...REMOTE.backend, url: "https://il.example.org", auth: "client-certificate" },
    },
  ]);
  const t = virtualKubeletConfig(context(token), "hpc-2");
  expect(t).toMatchObject({
    InterlinkURL: "https://interlink.hpc.example.org",
    InterlinkPort: "30443",
    VKTokenFile: "/etc/interlink/credentials/token",
    Resources: { CPU: "256", Memory: "1Ti", Pods: "500", Accelerators: [] },
  });
  expect(t).not.toHaveProperty("TLS");
  expect(virtualKubeletConfig(context(cert), "hpc-3")).toMatchObject({
    InterlinkURL: "https://il.example.org",
    InterlinkPort: "443",
    VKTokenFile: "",
    TLS: {
      Enabled: true,
      CertFile: "/etc/interlink/credentials/tls.crt",
      KeyFile: "/etc/interlink/credentials/tls.key",
      CACertFile: "/etc/interlink/credentials/ca.crt",
    },
  });
  expect(() => interlinkConfig(token)).toThrow("only the in-cluster mode");
});

test("the Node carries the nodeID label and interLink's taint plus the extra ones", () => {
  const [s] = parse([
    {
      ...IN_CLUSTER,
      taints: [{ key: "hpc.example.org/queue", value: "gpu", effect: "NoSchedule" }],
    },
  ]);
  const node = virtualNodeObject(context(s), "hpc-1");
  expect(node.metadata.labels).toMatchObject({
    nodeID: "hpc-1",
    "kubernetes.io/hostname": "hpc-1",
    "virtual-node.interlink/type": "virtual-kubelet",
    "aios.io/cluster-id": "eu-1",
  });
  expect(node.spec).toEqual({
    providerID: "external:///hpc-1",
    taints: [
      { key: "virtual-node.interlink/no-schedule", value: "true", effect: "NoSchedule" },
      { key: "hpc.example.org/queue", value: "gpu", effect: "NoSchedule" },
    ],
  });
  expect(virtualNodePlacement("hpc-1", s)).toEqual({
    nodeSelector: { "kubernetes.io/hostname": "hpc-1" },
    tolerations: [
      { key: "virtual-node.interlink/no-schedule", operator: "Exists", effect: "NoSchedule" },
      { key: "hpc.example.org/queue", operator: "Equal", value: "gpu", effect: "NoSchedule" },
    ],
  });
});

test("access: no wildcard, no cluster-admin, writes only to pods, its node's status and its lease", () => {
  expect(virtualKubeletAccess("hpc-1", { projectedVolumes: false })).toEqual({
    cluster: [
      { apiGroups: [""], resources: ["nodes"], verbs: ["create"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get"], resourceNames: ["hpc-1"] },
      { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch"], resourceNames: ["hpc-1"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "patch", "delete"] },
      { apiGroups: [""], resources: ["pods/status"], verbs: ["update", "patch"] },
      { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["services"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
    ],
    namespaced: {
      "kube-node-lease": [
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        {
          apiGroups: ["coordination.k8s.io"],
          resources: ["leases"],
          verbs: ["get", "update"],
          resourceNames: ["hpc-1"],
        },
      ],
    },
  });
  expect(virtualKubeletAccess("hpc-1", { projectedVolumes: true }).cluster).toContainEqual({
    apiGroups: [""],
    resources: ["serviceaccounts/token"],
    verbs: ["create"],
  });
});

test("the pod: three containers in-cluster, the virtual kubelet alone for a remote endpoint", () => {
  const [inCluster, remote] = parse([
    {
      ...IN_CLUSTER,
      backend: {
        ...IN_CLUSTER.backend,
        plugin: { ...IN_CLUSTER.backend.plugin, config: "a: 1\n" },
      },
    },
    REMOTE,
  ]);
  const w = virtualNodeWorkload(context(inCluster));
  expect(w.namespace).toBe("interlink");
  expect(w.containers.map((c) => c.name)).toEqual(["virtual-kubelet", "interlink", "plugin"]);
  const vk = w.containers[0];
  expect(vk.env).toEqual([
    { name: "NODENAME", value: "hpc-1" },
    { name: "KUBELET_PORT", value: "10250" },
    { name: "CONFIGPATH", value: "/etc/interlink/vk/InterLinkConfig.yaml" },
    { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
  ]);
  expect(w.volumes).toEqual([
    { name: "vk-config", configMap: { name: "hpc-1-vk-config" } },
    { name: "interlink-config", configMap: { name: "hpc-1-interlink-config" } },
    { name: "plugin-config", secret: { secretName: "hpc-1-plugin-config" } },
  ]);
  // One virtual kubelet at a time, rolled when its config changes.
  expect(w.strategy).toBe("Recreate");
  expect(w.podAnnotations?.["aios.io/config-checksum"]).toMatch(/^[0-9a-f]{16}$/);
  const changed = virtualNodeWorkload(
    context({ ...inCluster, resources: { ...inCluster.resources, pods: 50 } }),
  );
  expect(changed.podAnnotations?.["aios.io/config-checksum"]).not.toBe(
    w.podAnnotations?.["aios.io/config-checksum"],
  );
  expect(w.containers[2].volumeMounts).toEqual([
    {
      name: "plugin-config",
      mountPath: "/etc/interlink/plugin.yaml",
      subPath: "plugin.yaml",
      readOnly: true,
    },
  ]);
  expect(w.ingress).toEqual([{ ports: [{ port: 10250, protocol: "TCP" }] }]);
  const r = virtualNodeWorkload(context(remote));
  expect(r.containers.map((c) => c.name)).toEqual(["virtual-kubelet"]);
  expect(r.volumes).toEqual([
    { name: "vk-config", configMap: { name: "hpc-2-vk-config" } },
    { name: "credentials", secret: { secretName: "hpc-2-credentials" } },
  ]);
});

test("the kubelet port admits only the API server's CIDRs when they are given", () => {
  const [s] = parse([{ ...IN_CLUSTER, apiServerCidrs: ["10.0.0.0/24", "fd00::/64"] }]);
  expect(virtualNodeWorkload(context(s)).ingress).toEqual([
    {
      ports: [{ port: 10250, protocol: "TCP" }],
      from: [{ ipBlock: { cidr: "10.0.0.0/24" } }, { ipBlock: { cidr: "fd00::/64" } }],
    },
  ]);
  const bad = virtualNodesSchema.safeParse([
    { ...IN_CLUSTER, apiServerCidrs: ["10.0.0.0", "10.0.0.0/33", "fd00::/64"] },
  ]);
  expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
    ["0.apiServerCidrs.0", "must be an IPv4 or IPv6 CIDR, such as 10.0.0.0/24 or fd00::/64"],
    ["0.apiServerCidrs.1", "must be an IPv4 or IPv6 CIDR, such as 10.0.0.0/24 or fd00::/64"],
  ]);
});

test("GPU models become label values: the virtual kubelet labels its Node with the model", () => {
  // Measured with the real virtual kubelet 0.6.2: "NVIDIA L4" made its Node invalid and it exited.
  expect(gpuModelLabel("NVIDIA L4")).toBe("NVIDIA-L4");
  expect(gpuModelLabel("  Tesla V100 (SXM2) 32GB ")).toBe("Tesla-V100-SXM2-32GB");
  expect(gpuModelLabel("A".repeat(70))).toBe("A".repeat(63));
  expect(gpuModelLabel("(?)")).toBeUndefined();
  fc.assert(
    fc.property(fc.string(), (model) => {
      const label = gpuModelLabel(model);
      return label === undefined || /^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/.test(label);
    }),
  );
});

test("remote with a site CA: the virtual kubelet trusts it from a DER file next to its config", () => {
  const pem = fs.readFileSync(path.join(__dirname, "../fixtures/tls/test-ca.pem"), "utf8");
  const [withCa] = parse([{ ...REMOTE, backend: { ...REMOTE.backend, caCertificate: pem } }]);
  expect(virtualKubeletConfig(context(withCa), "hpc-2").HTTP).toEqual({
    Insecure: false,
    CaCert: "/etc/interlink/vk/interlink-ca.der",
  });
  // The ConfigMap's binaryData: exactly the certificate's DER, which x509.ParseCertificate reads.
  expect(derBase64(pem)).toBe(new X509Certificate(pem).raw.toString("base64"));
  expect(configChecksum(context(withCa))).not.toBe(configChecksum(context(parse([REMOTE])[0])));
  expect(() =>
    parse([{ ...REMOTE, backend: { ...REMOTE.backend, caCertificate: "not a certificate" } }]),
  ).toThrow(/must be a PEM certificate/);
});
