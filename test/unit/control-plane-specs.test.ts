/** Pure builders of the local control plane and the toolchain paths. */
import * as YAML from "yaml";
import { buildKubeconfig } from "../../scripts/control-plane/kubeconfig";
import { isPortClash } from "../../scripts/control-plane/local-control-plane";
import { buildKwokNode } from "../../scripts/control-plane/kwok-nodes";
import { kwokStageConfig } from "../../scripts/control-plane/kwok-stages";
import { bootId, isSameProcess, processStartTime } from "../../scripts/control-plane/processes";
import { parseEnvFile, toolchainCacheDir } from "../../scripts/toolchain/paths";

test("a kwok node carries the document's capacity, GPUs included, and no taint", () => {
  const node = buildKwokNode({
    name: "gpu-1",
    gpus: 4,
    cpu: 16,
    memoryMiB: 65536,
    labels: { zone: "a" },
  });
  const capacity = { cpu: "16", memory: "65536Mi", pods: "110", "nvidia.com/gpu": "4" };
  expect(node.status).toEqual({ capacity, allocatable: capacity });
  expect(node.metadata?.annotations).toEqual({
    "kwok.x-k8s.io/node": "fake",
    "node.alpha.kubernetes.io/ttl": "0",
  });
  expect(node.metadata?.labels).toMatchObject({ zone: "a", "kubernetes.io/hostname": "gpu-1" });
  expect(node.spec?.taints).toBeUndefined();
});

test("a node without GPUs advertises none", () => {
  expect(buildKwokNode({ name: "cpu" }).status?.capacity).toEqual({
    cpu: "8",
    memory: "32768Mi",
    pods: "110",
  });
});

test("the kubeconfig trusts the apiserver certificate and authenticates with the token", () => {
  const kc = JSON.parse(
    buildKubeconfig({ server: "https://127.0.0.1:6443", caPem: "PEM", token: "t0k" }),
  ) as Record<string, unknown>;
  expect(kc).toEqual({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "aios-local",
        cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": "UEVN" },
      },
    ],
    users: [{ name: "aios-local-admin", user: { token: "t0k" } }],
    contexts: [
      { name: "aios-local", context: { cluster: "aios-local", user: "aios-local-admin" } },
    ],
    "current-context": "aios-local",
  });
});

test("the kwok stage config completes Job pods only through our stages", () => {
  const stages = YAML.parseAllDocuments(kwokStageConfig()).map(
    (d) => (d.toJS() as { metadata: { name: string } }).metadata.name,
  );
  expect(stages).toEqual([
    "node-initialize",
    "node-heartbeat-with-lease",
    "pod-ready",
    "pod-delete",
    "job-pod-finish",
    "sdk-job-pod-finish",
    "job-pod-finish-delete-of-hang-create",
  ]);
});

test("a hang-create pod's delete lifecycle still finishes: the variant selects exactly those pods", () => {
  const docs = YAML.parseAllDocuments(kwokStageConfig()).map((d) => d.toJS());
  const named = (name: string) => docs.find((d) => d.metadata.name === name);
  const [finish, variant, sdk] = [
    named("job-pod-finish"),
    named("job-pod-finish-delete-of-hang-create"),
    named("sdk-job-pod-finish"),
  ];
  const keys = (doc: any) =>
    doc.spec.selector.matchExpressions.map((e: any) => `${e.key} ${e.operator} ${e.values ?? ""}`);
  expect(keys(finish)).toContain('.metadata.annotations["e2e.aios.io/hang-create"] DoesNotExist ');
  expect(keys(variant)).toEqual([
    ".metadata.deletionTimestamp DoesNotExist ",
    ".status.phase In Running",
    ".metadata.ownerReferences.[].kind In Job",
    '.metadata.labels["aios.io/status-source"] NotIn sdk',
    '.metadata.annotations["e2e.aios.io/hang-create"] Exists ',
    '.metadata.labels["aios.io/lifecycle"] In delete',
  ]);
  expect(variant.spec.next).toEqual(finish.spec.next);
  // SDK pods finish only through their own stage, once a test has played them.
  expect(keys(sdk)).toEqual([
    ".metadata.deletionTimestamp DoesNotExist ",
    ".status.phase In Running",
    ".metadata.ownerReferences.[].kind In Job",
    '.metadata.labels["aios.io/status-source"] In sdk',
    '.metadata.annotations["e2e.aios.io/sidecar-termination-message"] Exists ',
  ]);
});

test("versions.env parsing ignores comments and rejects malformed lines", () => {
  expect(parseEnvFile("# c\n\nA=1\nB=x=y\n")).toEqual({ A: "1", B: "x=y" });
  expect(() => parseEnvFile("oops")).toThrow("versions.env: expected KEY=VALUE, got 'oops'");
});

test("the toolchain cache resolves like build.sh: override, XDG, then ~/.cache", () => {
  expect(toolchainCacheDir({ AIOS_TOOLCHAIN_CACHE: "/c" })).toBe("/c");
  expect(toolchainCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/aios-infra/toolchain");
});

test("a recorded process is recognised only while its pid, boot and start time all match", () => {
  const self = {
    name: "self",
    pid: process.pid,
    logFile: "/dev/null",
    startTime: processStartTime(process.pid),
    bootId: bootId(),
  };
  expect(self.startTime).toMatch(/^\d+$/);
  expect(isSameProcess(self)).toBe(true);
  expect(isSameProcess({ ...self, startTime: "1" })).toBe(false);
  expect(isSameProcess({ ...self, bootId: "another-boot" })).toBe(false);
});

test("a start that failed to bind a port is recognised as a clash to retry", () => {
  expect(
    isPortClash(
      new Error(
        "etcd exited while waiting for etcd /health; last lines:\nlisten tcp 127.0.0.1:2379: bind: address already in use",
      ),
    ),
  ).toBe(true);
  expect(isPortClash(new Error("timed out waiting for kube-apiserver /readyz"))).toBe(false);
});
