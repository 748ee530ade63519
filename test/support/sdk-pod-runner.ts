/**
 * Plays the containers of SDK lifecycle pods on the local control plane, where kwok runs none:
 * for each such pod it starts the SDK endpoint script locally with the sidecar's environment from
 * the pod spec and the documents from the pod's ConfigMap, with the ServiceAccount's own token for
 * its status ConfigMap writes (the real authorizer decides), runs the SDK-like client with the
 * init container's environment, and hands the record the endpoint wrote to kwok through the pod
 * annotation e2e.aios.io/sidecar-termination-message (stages/sdk-job-pod-finish.yaml).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { startLocalSdkEndpoint } from "../../components/blocks";
import { runSdkClient, type SdkBehaviour } from "./sdk-client";

/** What a block's SDK image does in one mode; `exitCode` stands for a crash after the SDK. */
export type PodScript = SdkBehaviour & { readonly exitCode?: number };

/** Chooses the behaviour by block id and mode (`create`/`delete`). */
export type Scripts = (blockId: string, mode: string) => PodScript;

const envOf = (c: k8s.V1Container | undefined) =>
  Object.fromEntries(
    (c?.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])),
  );

/** Watches a namespace's SDK lifecycle pods and plays each once. */
export class SdkPodRunner {
  /** Pods played, in order: `<blockId>/<mode>`. */
  readonly played: string[] = [];
  /** Progress writes the endpoint could not make (printed on its stderr; empty when allowed). */
  private readonly handled = new Set<string>();
  private controller?: AbortController;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-pods-"));

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly scripts: Scripts,
  ) {}

  async start(): Promise<void> {
    const watch = new k8s.Watch(this.kc);
    this.controller = await watch.watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: "aios.io/status-source=sdk" },
      (type: string, pod: k8s.V1Pod) => {
        const uid = pod.metadata?.uid ?? "";
        if (type === "DELETED" || this.handled.has(uid) || pod.metadata?.deletionTimestamp) {
          return;
        }
        this.handled.add(uid);
        void this.play(pod).catch((e: unknown) => {
          process.stderr.write(`sdk-pod-runner: ${String(e)}\n`);
        });
      },
      () => undefined,
    );
  }

  stop(): void {
    this.controller?.abort();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async play(pod: k8s.V1Pod): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const name = pod.metadata?.name ?? "";
    const sidecar = envOf(pod.spec?.initContainers?.find((c) => c.name === "sdk-endpoint"));
    const main = envOf(pod.spec?.containers.find((c) => c.name === "init-container"));
    const configMap = pod.spec?.volumes?.find((v) => v.name === "sdk-endpoint")?.configMap?.name;
    const files =
      (await core.readNamespacedConfigMap({ name: configMap ?? "", namespace: this.namespace }))
        .data ?? {};
    // The pod's ServiceAccount token, as the kubelet would mount it.
    const token = await core.createNamespacedServiceAccountToken({
      name: pod.spec?.serviceAccountName ?? "default",
      namespace: this.namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const tokenFile = path.join(this.dir, `${name}.token`);
    fs.writeFileSync(tokenFile, token.status?.token ?? "");
    const cluster = this.kc.getCurrentCluster() as k8s.Cluster;
    const caFile = path.join(this.dir, "ca.crt");
    fs.writeFileSync(
      caFile,
      cluster.caData !== undefined
        ? Buffer.from(cluster.caData, "base64")
        : fs.readFileSync(cluster.caFile ?? ""),
    );
    const mode = sidecar.OPERATING_MODE ?? "";
    const blockId = sidecar.BLOCK_ID ?? "";
    const endpoint = await startLocalSdkEndpoint({
      blockId,
      clusterId: sidecar.CLUSTER_ID ?? "",
      mode: mode === "delete" ? "delete" : "create",
      ...(files["block.json"] === undefined
        ? {}
        : { blockDocument: JSON.parse(files["block.json"]) }),
      ...(files["cluster.json"] === undefined
        ? {}
        : { clusterDocument: JSON.parse(files["cluster.json"]) }),
      env: {
        RUN_ID: sidecar.RUN_ID ?? "",
        STATUS_CONFIGMAP: sidecar.STATUS_CONFIGMAP ?? "",
        POD_NAMESPACE: this.namespace,
        ...(sidecar.UPSTREAM_BLOCK_SERVICE_URL === undefined
          ? {}
          : { UPSTREAM_BLOCK_SERVICE_URL: sidecar.UPSTREAM_BLOCK_SERVICE_URL }),
        ...(sidecar.UPSTREAM_CLUSTER_SERVICE_URL === undefined
          ? {}
          : { UPSTREAM_CLUSTER_SERVICE_URL: sidecar.UPSTREAM_CLUSTER_SERVICE_URL }),
        SDK_ENDPOINT_KUBE_URL: cluster.server,
        SDK_ENDPOINT_KUBE_TOKEN_FILE: tokenFile,
        SDK_ENDPOINT_KUBE_CA_FILE: caFile,
      },
    });
    const local = `http://127.0.0.1:${sidecar.SDK_ENDPOINT_PORT ?? ""}`;
    const at = (url: string | undefined) => (url === local ? endpoint.url : url);
    const script = this.scripts(blockId, mode);
    await runSdkClient(
      {
        ...main,
        CONTROLLER_URL: at(main.CONTROLLER_URL),
        BLOCK_SERVICE_URL: at(main.BLOCK_SERVICE_URL),
        CLUSTER_SERVICE_URL: at(main.CLUSTER_SERVICE_URL),
      },
      script,
    );
    const record = await endpoint.stop();
    this.played.push(`${blockId}/${mode}`);
    await core.patchNamespacedPod(
      {
        name,
        namespace: this.namespace,
        body: {
          metadata: {
            annotations: {
              "e2e.aios.io/exit-code": String(script.exitCode ?? 0),
              "e2e.aios.io/sidecar-termination-message": record,
            },
          },
        },
      },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
  }
}
