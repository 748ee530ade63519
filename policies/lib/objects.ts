/**
 * What the rules read from a Kubernetes resource's properties (the inputs Pulumi sends the
 * analyzer, secrets already unwrapped): its identity, its Service ports, its pod spec and
 * containers, and whether it is third-party software rendered by a Helm chart. Policies receive
 * plain JSON typed `any`; these are the shapes the rules rely on, each field optional.
 */
import type { PolicyResource } from "@pulumi/policy";

/** Object metadata. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Kubernetes object's properties, as far as the rules read them. */
export interface ObjectProps {
  readonly metadata?: ObjectMeta;
}

/** A Service port. */
export interface ServicePortProps {
  readonly name?: string;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

/** A Service's spec. */
export interface ServiceSpecProps {
  readonly type?: string;
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly ServicePortProps[];
}

/** A container. */
export interface ContainerProps {
  readonly name?: string;
  readonly image?: string;
  readonly ports?: readonly { readonly hostPort?: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: unknown }[];
  readonly resources?: {
    readonly requests?: Readonly<Record<string, unknown>>;
    readonly limits?: Readonly<Record<string, unknown>>;
  };
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly readinessProbe?: unknown;
  readonly securityContext?: {
    readonly privileged?: boolean;
    readonly capabilities?: { readonly add?: readonly string[] };
  };
}

/** A pod spec. */
export interface PodSpecProps {
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  readonly containers?: readonly ContainerProps[];
  readonly initContainers?: readonly ContainerProps[];
}

/** Pulumi types of the kinds that carry a pod template, and where it is. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  "kubernetes:core/v1:Pod": ["spec"],
};

/** The metadata of an object's properties. */
export function metadataOf(props: unknown): ObjectMeta {
  return (props as ObjectProps | undefined)?.metadata ?? {};
}

/** `namespace/name` of an object (how allow-lists name workloads and Services). */
export function objectId(props: unknown): string {
  const m = metadataOf(props);
  return `${m.namespace ?? ""}/${m.name ?? ""}`;
}

/** `Kind namespace/name` of an object, for messages. */
export function describe(type: string, props: unknown): string {
  const kind = type.split(":").pop() ?? type;
  const m = metadataOf(props);
  return `${kind} ${m.namespace === undefined ? "" : `${m.namespace}/`}${m.name ?? "(unnamed)"}`;
}

/** The spec of a Service's properties. */
export function serviceSpecOf(props: unknown): ServiceSpecProps {
  return (props as { spec?: ServiceSpecProps } | undefined)?.spec ?? {};
}

/** The pod spec of a workload, or undefined for other kinds. */
export function podSpecOf(type: string, props: unknown): PodSpecProps | undefined {
  const pathTo = POD_SPEC_PATHS[type];
  if (pathTo === undefined) {
    return undefined;
  }
  let at: unknown = props;
  for (const key of pathTo) {
    at = (at as Readonly<Record<string, unknown>> | undefined)?.[key];
  }
  return typeof at === "object" && at !== null ? at : undefined;
}

/** A container of a pod spec, with whether it is an init container. */
export interface ContainerRef {
  readonly container: ContainerProps;
  readonly init: boolean;
}

/** Every init container and container of a pod spec. */
export function containersOf(spec: PodSpecProps | undefined): ContainerRef[] {
  return [
    ...(spec?.initContainers ?? []).map((container) => ({ container, init: true })),
    ...(spec?.containers ?? []).map((container) => ({ container, init: false })),
  ];
}

/** `container 'name'` or `init container 'name'`. */
export function containerLabel(ref: ContainerRef): string {
  return `${ref.init ? "init container" : "container"} '${ref.container.name ?? "(unnamed)"}'`;
}

/** A Service port's name, or its number when unnamed. */
export function portLabel(port: ServicePortProps): string {
  return port.name ?? String(port.port);
}

/** Whether a resource was rendered by a Helm chart (third-party software the stack installs). */
export function isChartObject(resource: Pick<PolicyResource, "urn">): boolean {
  return /kubernetes:helm\.sh\/v\d:Chart\$/.test(resource.urn);
}

/** Whether a type is a Kubernetes object with its own metadata (not a chart, patch or provider). */
export function isKubernetesObject(type: string): boolean {
  return (
    type.startsWith("kubernetes:") &&
    !type.startsWith("kubernetes:helm.sh/") &&
    !type.startsWith("kubernetes:yaml") &&
    !type.startsWith("kubernetes:kustomize") &&
    !type.endsWith("Patch") &&
    !type.endsWith("List")
  );
}
