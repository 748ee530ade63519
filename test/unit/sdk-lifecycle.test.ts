/**
 * The SDK contract's pure parts: the Job that hosts the SDK endpoint beside an SDK image, and the
 * verdict on a run's record for every way a run can end.
 */
import { lifecycleEnv, lifecycleJob, type LifecycleSpec } from "../../components/blocks";
import { judgeSdkRun, sdkResult } from "../../components/blocks";

const SPEC: LifecycleSpec = {
  blockId: "blk-1",
  clusterId: "c1",
  namespace: "third-party",
  image: "registry.local/vllm-init:1.0.0",
  serviceAccountName: "blk-1-init",
  controllerUrl: "http://c1-controller-svc.controllers.svc.cluster.local:4000",
  blockServiceUrl: "http://mgmt:30100",
  clusterServiceUrl: "http://mgmt:30101",
  allocationData: { node: "n1" },
  env: { MODEL: "llama" },
  podAnnotations: {},
  deadlineSeconds: 300,
  backoffLimit: 0,
  labels: { "aios.io/cluster-id": "c1" },
  statusSource: "sdk",
  sdkEndpoint: {
    image: "node:22.12.0-alpine3.21",
    port: 4000,
    configMap: "blk-1-init-sdk",
    upstreamBlockServiceUrl: "http://mgmt:30100",
  },
};

test("the SDK's URLs point at the endpoint on the pod's loopback", () => {
  expect(lifecycleEnv(SPEC, "create")).toEqual({
    MODEL: "llama",
    BLOCK_ID: "blk-1",
    CLUSTER_ID: "c1",
    OPERATING_MODE: "create",
    CONTROLLER_URL: "http://127.0.0.1:4000",
    BLOCK_SERVICE_URL: "http://127.0.0.1:4000",
    CLUSTER_SERVICE_URL: "http://127.0.0.1:4000",
    ALLOCATION_DATA: '{"data":{"node":"n1"}}',
  });
});

test("the Job's pod: the endpoint as a native sidecar, the ServiceAccount token mounted for K8sConnection", () => {
  const job = lifecycleJob(SPEC, "delete", "run-1") as any;
  const pod = job.spec.template.spec;
  expect(job.metadata.labels).toEqual({
    "aios.io/cluster-id": "c1",
    "aios.io/block-id": "blk-1",
    "aios.io/lifecycle": "delete",
    "aios.io/status-source": "sdk",
  });
  expect(pod.automountServiceAccountToken).toBe(true);
  expect(pod.serviceAccountName).toBe("blk-1-init");
  expect(pod.volumes).toEqual([{ name: "sdk-endpoint", configMap: { name: "blk-1-init-sdk" } }]);
  expect(pod.initContainers).toEqual([
    {
      name: "sdk-endpoint",
      image: "node:22.12.0-alpine3.21",
      restartPolicy: "Always",
      command: ["node", "/sdk-endpoint/endpoint.js"],
      env: [
        { name: "BLOCK_ID", value: "blk-1" },
        { name: "CLUSTER_ID", value: "c1" },
        { name: "OPERATING_MODE", value: "delete" },
        { name: "RUN_ID", value: "run-1" },
        { name: "SDK_ENDPOINT_PORT", value: "4000" },
        { name: "DOCUMENTS_DIR", value: "/sdk-endpoint" },
        { name: "STATUS_CONFIGMAP", value: "blk-1-init-status" },
        { name: "UPSTREAM_BLOCK_SERVICE_URL", value: "http://mgmt:30100" },
        { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ],
      ports: [{ name: "sdk-endpoint", containerPort: 4000, protocol: "TCP" }],
      startupProbe: {
        exec: {
          command: [
            "node",
            "-e",
            "require('http').get('http://127.0.0.1:4000/healthz', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))",
          ],
        },
        periodSeconds: 1,
        failureThreshold: 60,
      },
      volumeMounts: [{ name: "sdk-endpoint", mountPath: "/sdk-endpoint", readOnly: true }],
      terminationMessagePolicy: "File",
      resources: {
        requests: { cpu: "10m", memory: "48Mi" },
        limits: { cpu: "200m", memory: "96Mi" },
      },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      },
    },
  ]);
  expect(pod.containers.map((c: any) => c.name)).toEqual(["init-container"]);
  expect(pod.containers[0].env).toContainEqual({ name: "OPERATING_MODE", value: "delete" });
});

const at = "2026-12-04T12:00:00.000Z";
const ok = (stage: string, data: unknown = {}, mode = "create") => ({
  at,
  action: mode === "create" ? "init_create_status_update" : "init_remove_status_update",
  status: "success",
  stage,
  mode,
  status_data: data,
});
const record = (updates: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    run: "r",
    block: "blk-1",
    mode: "create",
    reads: [],
    updates,
    rejected: [],
    ...extra,
  });
const verdict = (updates: unknown[], extra: Record<string, unknown> = {}, exitCode = 0) =>
  judgeSdkRun({ mode: "create", exitCode, recordText: record(updates, extra) });

test("finish reached in order is success, with finish's data as the result and every stage timed", () => {
  expect(
    verdict([ok("begin", "ready"), ok("main"), ok("finish", { server_url: "http://s:1" })]),
  ).toEqual({
    ok: true,
    stage: "finish",
    result: { server_url: "http://s:1" },
    statusData: { server_url: "http://s:1" },
    stages: [
      { stage: "begin", status: "success", message: "ready", at },
      { stage: "main", status: "success", message: "{}", at },
      { stage: "finish", status: "success", message: '{"server_url":"http://s:1"}', at },
    ],
  });
});

test.each([
  [
    "no record",
    undefined,
    0,
    "unknown",
    "the SDK endpoint left no record (its termination message is empty); the exit code was 0",
  ],
  [
    "a failed update",
    [
      ok("begin"),
      { at, action: "init_create_status_update", status: "failed", status_data: "OOM" },
    ],
    0,
    "main",
    "the SDK reported failure: OOM",
  ],
  ["a non-zero exit", [ok("begin")], 137, "main", "the init container exited with code 137"],
  [
    "no update, no read",
    [],
    0,
    "begin",
    "the init container made no SDK call (no document read, no status update): is it built on the AIOS init-container SDK? Images that report through their termination message need statusSource 'termination-message'",
  ],
  [
    "a missing stage",
    [ok("begin"), ok("main")],
    0,
    "main",
    "stage 'finish' was never reported (the last was 'main') and the container exited",
  ],
  [
    "stages out of order",
    [ok("begin"), ok("finish")],
    0,
    "finish",
    "stages arrived out of order: begin, finish",
  ],
  [
    "the wrong mode's action",
    [ok("begin", {}, "delete")],
    0,
    "begin",
    "an update came with action 'init_remove_status_update' in a create run (OPERATING_MODE=create posts 'init_create_status_update'): the image does not run the SDK's create path",
  ],
  [
    "a stage in another mode",
    [{ ...ok("begin"), mode: "creation" }],
    0,
    "begin",
    "stage 'begin' reported mode 'creation', expected 'create'",
  ],
  [
    "oversized finish data",
    [ok("begin"), ok("main"), { ...ok("finish"), status_data: null, oversized: 9000 }],
    0,
    "finish",
    "finish's status_data is 9000 bytes, more than a termination message carries (4096 with the record); return URLs, not payloads",
  ],
])("%s fails at the stage reached with the reason", (_name, updates, exitCode, stage, reason) => {
  const outcome =
    updates === undefined
      ? judgeSdkRun({ mode: "create", exitCode, recordText: "" })
      : verdict(updates, {}, exitCode);
  expect(outcome).toMatchObject({ ok: false, stage, reason });
});

test("a read the SDK could not make is named when nothing was posted", () => {
  expect(
    verdict([], {
      reads: [
        {
          at,
          path: "/clusters/c1",
          status: 404,
          source: "none",
          note: "http://mgmt:30101/clusters/c1 answered 404",
        },
      ],
    }),
  ).toMatchObject({
    ok: false,
    stage: "begin",
    reason:
      "the SDK gave up before begin: GET /clusters/c1 answered 404 (http://mgmt:30101/clusters/c1 answered 404)",
  });
});

test("finish data that is not an object is kept under status_data", () => {
  expect(sdkResult("http://s:1")).toEqual({ status_data: "http://s:1" });
  expect(sdkResult([1, 2])).toEqual({ status_data: [1, 2] });
  expect(sdkResult(undefined)).toEqual({});
});
