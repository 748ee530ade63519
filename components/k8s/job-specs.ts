/**
 * Pure spec of a one-off Job the stack runs as part of an `up` (initiating a replica set, creating
 * a bucket): idempotent commands, retried with backoff until they succeed or the deadline passes,
 * no API token, the RuntimeDefault seccomp profile, the recommended labels on the pods (so
 * NetworkPolicies can admit them by name).
 */
import type * as k8s from "@pulumi/kubernetes";

/** Arguments of {@link buildJobSpec}. */
export interface JobSpecArgs {
  /** The Job's labels; its pods carry them too. */
  readonly labels: Readonly<Record<string, string>>;
  /** Containers from `buildTaskContainer`. */
  readonly containers: readonly k8s.types.input.core.v1.Container[];
  /** @default [] */
  readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
  /** Retries before the Job fails (the target may still be starting). @default 10 */
  readonly backoffLimit?: number;
  /** Seconds before the Job fails however many retries are left. @default 600 */
  readonly activeDeadlineSeconds?: number;
}

/** The Job's spec. */
export function buildJobSpec(a: JobSpecArgs): k8s.types.input.batch.v1.JobSpec {
  return {
    backoffLimit: a.backoffLimit ?? 10,
    activeDeadlineSeconds: a.activeDeadlineSeconds ?? 600,
    template: {
      metadata: { labels: { ...a.labels } },
      spec: {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [...a.containers],
        ...(a.volumes === undefined ? {} : { volumes: [...a.volumes] }),
      },
    },
  };
}

/** A Job as specs return it: its name, labels and spec (the component adds the namespace). */
export interface JobObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: k8s.types.input.batch.v1.JobSpec;
}
