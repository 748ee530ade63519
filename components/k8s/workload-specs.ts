/**
 * Pure spec builders for the cluster's workloads, so every Deployment, DaemonSet and Service the
 * stack declares has, by construction: named ports referenced by name (probes, Services), a
 * readiness probe, resource requests and limits, no privilege escalation unless explicitly
 * privileged, and selectors derived from the recommended labels. Components only wire these.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type Container = k8s.types.input.core.v1.Container;
type ServicePort = k8s.types.input.core.v1.ServicePort;

/** A container port, always named: probes and Services refer to it by name. */
export interface NamedPort {
  /** IANA-style port name (≤ 15 chars), e.g. `http`, `grpc`, `redis`. */
  readonly name: string;
  readonly containerPort: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

/** Requests and limits, with units in the field names. */
export interface ResourceArgs {
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  /** @default - twice the request */
  readonly cpuLimitMillicores?: number;
  /** @default - the request (memory is not compressible: a limit above it invites OOM kills) */
  readonly memoryLimitMiB?: number;
}

/** How readiness is probed: HTTP GET on a path, or a TCP connect, on a named port. */
export type ReadinessArgs =
  | { readonly port: string; readonly httpPath: string }
  | { readonly port: string; readonly tcp: true };

/** A key of a Secret in the pod's namespace. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly secret: string;
  /** The key in it. */
  readonly key: string;
}

/** Arguments of {@link buildContainer}. */
export interface ContainerArgs {
  readonly name: string;
  readonly image: pulumi.Input<string>;
  readonly ports: readonly NamedPort[];
  readonly readiness: ReadinessArgs;
  readonly resources: ResourceArgs;
  /** Plain environment variables. @default {} */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Environment variables from the pod's own fields, by field path (`spec.nodeName`). @default {} */
  readonly fieldEnv?: Readonly<Record<string, string>>;
  /** Environment variables from Secrets in the pod's namespace (credentials). @default {} */
  readonly secretEnv?: Readonly<Record<string, SecretKeyRef>>;
  /** Run privileged (only the metrics collector needs it). @default false */
  readonly privileged?: boolean;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
}

/** Builds a container that meets the stack's workload rules. */
export function buildContainer(a: ContainerArgs): Container {
  if (!a.ports.some((p) => p.name === a.readiness.port)) {
    throw new Error(
      `container '${a.name}': readiness port '${a.readiness.port}' is not one of its ports (${a.ports.map((p) => p.name).join(", ") || "none"})`,
    );
  }
  const probe =
    "httpPath" in a.readiness
      ? { httpGet: { path: a.readiness.httpPath, port: a.readiness.port } }
      : { tcpSocket: { port: a.readiness.port } };
  const r = a.resources;
  return {
    name: a.name,
    image: a.image,
    ...(a.command === undefined ? {} : { command: [...a.command] }),
    ...(a.args === undefined ? {} : { args: [...a.args] }),
    ports: a.ports.map((p) => ({
      name: p.name,
      containerPort: p.containerPort,
      protocol: p.protocol ?? "TCP",
    })),
    env: [
      ...Object.entries(a.env ?? {}).map(([name, value]) => ({ name, value })),
      ...Object.entries(a.fieldEnv ?? {}).map(([name, fieldPath]) => ({
        name,
        valueFrom: { fieldRef: { fieldPath } },
      })),
      ...Object.entries(a.secretEnv ?? {}).map(([name, ref]) => ({
        name,
        valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
      })),
    ],
    readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
    resources: {
      requests: { cpu: `${r.cpuMillicores}m`, memory: `${r.memoryMiB}Mi` },
      limits: {
        cpu: `${r.cpuLimitMillicores ?? 2 * r.cpuMillicores}m`,
        memory: `${r.memoryLimitMiB ?? r.memoryMiB}Mi`,
      },
    },
    securityContext:
      a.privileged === true
        ? { privileged: true }
        : { allowPrivilegeEscalation: false, privileged: false },
    ...(a.volumeMounts === undefined ? {} : { volumeMounts: a.volumeMounts }),
  };
}

/** Arguments of {@link buildTaskContainer}. */
export interface TaskContainerArgs {
  readonly name: string;
  readonly image: pulumi.Input<string>;
  readonly command: readonly string[];
  readonly resources: ResourceArgs;
  /** Plain environment variables. @default {} */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Environment variables from Secrets in the pod's namespace. @default {} */
  readonly secretEnv?: Readonly<Record<string, SecretKeyRef>>;
  readonly volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
}

/**
 * A container that runs to completion — an init container (giving a key file the owner and mode
 * its server insists on) or a Job's (initiating a replica set): resources and no privilege
 * escalation like every container, and no ports or probe.
 */
export function buildTaskContainer(a: TaskContainerArgs): Container {
  const r = a.resources;
  return {
    name: a.name,
    image: a.image,
    command: [...a.command],
    env: [
      ...Object.entries(a.env ?? {}).map(([name, value]) => ({ name, value })),
      ...Object.entries(a.secretEnv ?? {}).map(([name, ref]) => ({
        name,
        valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } },
      })),
    ],
    resources: {
      requests: { cpu: `${r.cpuMillicores}m`, memory: `${r.memoryMiB}Mi` },
      limits: {
        cpu: `${r.cpuLimitMillicores ?? 2 * r.cpuMillicores}m`,
        memory: `${r.memoryLimitMiB ?? r.memoryMiB}Mi`,
      },
    },
    securityContext: { allowPrivilegeEscalation: false, privileged: false },
    ...(a.volumeMounts === undefined ? {} : { volumeMounts: a.volumeMounts }),
  };
}

/** The labels a selector uses: the stable subset of the recommended labels. */
export function selectorLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const keys = ["app.kubernetes.io/name", "app.kubernetes.io/instance"];
  const selector = Object.fromEntries(
    keys.filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]]),
  );
  if (Object.keys(selector).length !== keys.length) {
    throw new Error(
      `selector labels need ${keys.join(" and ")}; got ${Object.keys(labels).join(", ")}`,
    );
  }
  return selector;
}

/** A Service port that exposes a named container port, optionally on a planned NodePort. */
export interface ServicePortArgs {
  /** The container port's name; also the Service port's name. */
  readonly name: string;
  /** The Service port. */
  readonly port: number;
  /** The NodePort from the stack's plan. @default - none (ClusterIP only) */
  readonly nodePort?: number;
}

/**
 * Annotations of a workload's Services. The provider's Service await sleeps 10 s after every
 * change to the Service's Endpoints "to let them settle" (pulumi-kubernetes 4.25,
 * provider/pkg/await/service.go), which made each `pulumi up` 10 s slower than the rollout it
 * follows. The workload itself is awaited (its pods are ready, so its endpoints are), so the
 * Service's own await adds nothing but the sleep.
 */
export const SERVICE_ANNOTATIONS: Readonly<Record<string, string>> = {
  "pulumi.com/skipAwait": "true",
};

/**
 * Builds the Service spec: NodePort when its ports have planned NodePorts, else ClusterIP. Mixing
 * is refused: in a NodePort Service every port gets a NodePort, so an internal port (a redis)
 * would be exposed on a random one — upstream's metrics-writer bug. Put it in its own Service.
 */
export function buildServiceSpec(
  labels: Readonly<Record<string, string>>,
  ports: readonly ServicePortArgs[],
  headless = false,
): k8s.types.input.core.v1.ServiceSpec {
  const exposed = ports.some((p) => p.nodePort !== undefined);
  const internal = ports.filter((p) => p.nodePort === undefined).map((p) => p.name);
  if (exposed && internal.length > 0) {
    throw new Error(
      `Service ports ${internal.join(", ")} have no planned NodePort but share a NodePort Service, which would expose them on random NodePorts; give them their own ClusterIP Service`,
    );
  }
  if (exposed && headless) {
    throw new Error("a headless Service (per-pod DNS names) cannot have NodePorts");
  }
  return {
    type: exposed ? "NodePort" : "ClusterIP",
    ...(headless ? { clusterIP: "None", publishNotReadyAddresses: true } : {}),
    selector: selectorLabels(labels),
    ports: ports.map((p): ServicePort => ({
      name: p.name,
      port: p.port,
      targetPort: p.name,
      protocol: "TCP",
      ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
    })),
  };
}

/** Arguments of {@link buildPodTemplate}. */
export interface PodTemplateArgs {
  /** The workload's labels (recommended labels); the pods carry them too. */
  readonly labels: Readonly<Record<string, string>>;
  /** The pod's ServiceAccount. */
  readonly serviceAccountName: string;
  /** Mount an API token: only for workloads granted API access. */
  readonly automountServiceAccountToken: boolean;
  readonly containers: readonly Container[];
  /** Run before the containers (see {@link buildTaskContainer}). @default [] */
  readonly initContainers?: readonly Container[];
  /** @default [] */
  readonly volumes?: readonly k8s.types.input.core.v1.Volume[];
  /** @default - none */
  readonly tolerations?: readonly k8s.types.input.core.v1.Toleration[];
  /** @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Pod annotations (e.g. a config checksum that rolls the pods on change). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The pod template of a workload: labels, identity, the RuntimeDefault seccomp profile. */
export function buildPodTemplate(a: PodTemplateArgs): k8s.types.input.core.v1.PodTemplateSpec {
  return {
    metadata: {
      labels: { ...a.labels },
      ...(a.annotations === undefined ? {} : { annotations: { ...a.annotations } }),
    },
    spec: {
      serviceAccountName: a.serviceAccountName,
      automountServiceAccountToken: a.automountServiceAccountToken,
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      ...(a.initContainers === undefined ? {} : { initContainers: [...a.initContainers] }),
      containers: [...a.containers],
      ...(a.volumes === undefined ? {} : { volumes: [...a.volumes] }),
      ...(a.tolerations === undefined ? {} : { tolerations: [...a.tolerations] }),
      ...(a.nodeSelector === undefined ? {} : { nodeSelector: { ...a.nodeSelector } }),
    },
  };
}
