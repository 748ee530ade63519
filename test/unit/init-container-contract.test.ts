/** The init-container contract: the SDK's env, the Job, and how a finished container is judged. */
import * as fc from "fast-check";
import {
  judgeTermination,
  lifecycleEnv,
  lifecycleJob,
  type LifecycleSpec,
} from "../../components/blocks";

const SPEC: LifecycleSpec = {
  blockId: "blk-1",
  clusterId: "c1",
  namespace: "third-party",
  image: "registry.local/init:1.0.0",
  serviceAccountName: "blk-1-init",
  controllerUrl: "http://c1-controller-svc.controllers.svc.cluster.local:4000",
  blockServiceUrl: "http://mgmt:30100",
  clusterServiceUrl: "http://mgmt:30101",
  allocationData: { node: "n1", gpus: [0] },
  env: { MODEL: "llama", OPERATING_MODE: "ignored" },
  podAnnotations: { team: "ml" },
  deadlineSeconds: 300,
  backoffLimit: 1,
  labels: { "aios.io/cluster-id": "c1" },
};

test("create mode passes OPERATING_MODE=create (upstream's 'creation' deletes the block) and ALLOCATION_DATA", () => {
  expect(lifecycleEnv(SPEC, "create")).toEqual({
    MODEL: "llama",
    BLOCK_ID: "blk-1",
    CLUSTER_ID: "c1",
    OPERATING_MODE: "create",
    CONTROLLER_URL: "http://c1-controller-svc.controllers.svc.cluster.local:4000",
    BLOCK_SERVICE_URL: "http://mgmt:30100",
    CLUSTER_SERVICE_URL: "http://mgmt:30101",
    ALLOCATION_DATA: '{"data":{"node":"n1","gpus":[0]}}',
  });
  const del = lifecycleEnv(SPEC, "delete");
  expect(del.OPERATING_MODE).toBe("delete");
  expect(del).not.toHaveProperty("ALLOCATION_DATA");
});

test("the Job never restarts in place, is bounded, has a deadline, its own identity and labels", () => {
  const job = lifecycleJob(SPEC, "delete") as any;
  expect(job.metadata).toEqual({
    name: "blk-1-init-delete",
    namespace: "third-party",
    labels: {
      "aios.io/cluster-id": "c1",
      "aios.io/block-id": "blk-1",
      "aios.io/lifecycle": "delete",
      "aios.io/status-source": "termination-message",
    },
  });
  expect(job.spec).toMatchObject({
    backoffLimit: 1,
    activeDeadlineSeconds: 300,
    ttlSecondsAfterFinished: 600,
  });
  const pod = job.spec.template.spec;
  expect(pod.restartPolicy).toBe("Never");
  expect(pod.serviceAccountName).toBe("blk-1-init");
  expect(job.spec.template.metadata.annotations).toEqual({ team: "ml" });
  expect(pod.containers[0].resources.limits).toEqual({ cpu: "1", memory: "512Mi" });
  expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false });
});

test("finish with exit 0 is success, and the result becomes the outputs", () => {
  expect(
    judgeTermination({
      exitCode: 0,
      message: JSON.stringify({
        status: "finish",
        stage: "finish",
        result: { server_url: "http://s:8000" },
        stages: [{ stage: "begin", status: "success", message: { ok: true } }],
      }),
    }),
  ).toEqual({
    ok: true,
    stage: "finish",
    stages: [{ stage: "begin", status: "success", message: '{"ok":true}' }],
    result: { server_url: "http://s:8000" },
  });
});

test.each([
  [
    { exitCode: 0, message: "" },
    "the container exited 0 but wrote no JSON status to its termination message (the AIOS SDK exits 0 even when a stage fails, so a zero exit alone is not success)",
  ],
  [{ exitCode: 0, message: '{"stage":"main"}' }, "the container exited 0 but wrote no JSON status"],
  [
    { exitCode: 0, message: '{"status":"failed","stage":"main","message":"OOM"}' },
    "stage 'main' reported 'failed': OOM",
  ],
  [
    { exitCode: 2, message: "Traceback: boom" },
    "the container exited with code 2: Traceback: boom",
  ],
  [
    { exitCode: 1, message: '{"status":"failed","stage":"begin","message":"no GPU"}' },
    "the container exited with code 1: no GPU",
  ],
])("%j fails: %s", (termination, reason) => {
  const outcome = judgeTermination(termination);
  expect(outcome.ok).toBe(false);
  expect(outcome.ok ? "" : outcome.reason).toContain(reason);
});

test("any termination is judged without throwing, and only status finish with exit 0 succeeds", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.oneof(fc.string(), fc.json()),
      (exitCode, message) => {
        const outcome = judgeTermination({ exitCode, message });
        let parsed: unknown;
        try {
          parsed = JSON.parse(message);
        } catch {
          parsed = undefined;
        }
        const finished =
          exitCode === 0 &&
          typeof parsed === "object" &&
          parsed !== null &&
          (parsed as { status?: unknown }).status === "finish";
        expect(outcome.ok).toBe(finished);
      },
    ),
  );
});
