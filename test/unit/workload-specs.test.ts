/** Workload spec builders: probes, resources, named ports, selectors and safe Services. */
import { withServiceAwaitSkipped } from "../../components/cluster";
import { buildContainer, buildServiceSpec, selectorLabels } from "../../components/k8s";
import { recommendedLabels } from "../../components/k8s";

const labels = recommendedLabels({ name: "metrics-writer", component: "metrics", clusterId: "c1" });

test("a container gets named ports, a readiness probe by port name, requests and limits", () => {
  expect(
    buildContainer({
      name: "writer",
      image: "registry.local/aios/metrics-writer:1.0.0",
      ports: [{ name: "api", containerPort: 5000 }],
      readiness: { port: "api", httpPath: "/cluster" },
      resources: { cpuMillicores: 100, memoryMiB: 128 },
      env: { CLUSTER_ID: "c1" },
    }),
  ).toEqual({
    name: "writer",
    image: "registry.local/aios/metrics-writer:1.0.0",
    ports: [{ name: "api", containerPort: 5000, protocol: "TCP" }],
    env: [{ name: "CLUSTER_ID", value: "c1" }],
    readinessProbe: {
      httpGet: { path: "/cluster", port: "api" },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    resources: {
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "200m", memory: "128Mi" },
    },
    securityContext: { allowPrivilegeEscalation: false, privileged: false },
  });
});

test("a TCP readiness probe, explicit limits, and privilege only when asked", () => {
  const c = buildContainer({
    name: "collector",
    image: "x/collector:1",
    ports: [{ name: "metrics", containerPort: 9999 }],
    readiness: { port: "metrics", tcp: true },
    resources: { cpuMillicores: 50, memoryMiB: 64, cpuLimitMillicores: 500, memoryLimitMiB: 256 },
    privileged: true,
  });
  expect(c.readinessProbe).toEqual({
    tcpSocket: { port: "metrics" },
    periodSeconds: 5,
    failureThreshold: 3,
  });
  expect(c.resources).toEqual({
    requests: { cpu: "50m", memory: "64Mi" },
    limits: { cpu: "500m", memory: "256Mi" },
  });
  expect(c.securityContext).toEqual({ privileged: true });
});

test("fails if the readiness probe names a port the container does not have", () => {
  expect(() =>
    buildContainer({
      name: "redis",
      image: "redis:7.4.1",
      ports: [{ name: "redis", containerPort: 6379 }],
      readiness: { port: "http", tcp: true },
      resources: { cpuMillicores: 50, memoryMiB: 64 },
    }),
  ).toThrow("container 'redis': readiness port 'http' is not one of its ports (redis)");
});

test("selectors use the stable name and instance labels only", () => {
  expect(selectorLabels(labels)).toEqual({
    "app.kubernetes.io/name": "metrics-writer",
    "app.kubernetes.io/instance": "c1",
  });
  expect(() => selectorLabels({ app: "x" })).toThrow(
    "selector labels need app.kubernetes.io/name and app.kubernetes.io/instance; got app",
  );
});

test("a Service with planned NodePorts is a NodePort Service targeting ports by name", () => {
  expect(buildServiceSpec(labels, [{ name: "api", port: 5000, nodePort: 32301 }])).toEqual({
    type: "NodePort",
    selector: { "app.kubernetes.io/name": "metrics-writer", "app.kubernetes.io/instance": "c1" },
    ports: [{ name: "api", port: 5000, targetPort: "api", protocol: "TCP", nodePort: 32301 }],
  });
  expect(buildServiceSpec(labels, [{ name: "redis", port: 6379 }]).type).toBe("ClusterIP");
});

test("fails if an internal port would ride along on a NodePort Service (random NodePort)", () => {
  expect(() =>
    buildServiceSpec(labels, [
      { name: "api", port: 5000, nodePort: 32301 },
      { name: "redis", port: 6379 },
    ]),
  ).toThrow(
    "Service ports redis have no planned NodePort but share a NodePort Service, which would expose them on random NodePorts; give them their own ClusterIP Service",
  );
});

test("a gateway chart's Service gets the await skip; the chart's own annotations win", () => {
  expect(
    withServiceAwaitSkipped({
      kind: "Service",
      metadata: { name: "ambassador", annotations: { "a.example/x": "1" } },
    }),
  ).toEqual({
    kind: "Service",
    metadata: {
      name: "ambassador",
      annotations: { "pulumi.com/skipAwait": "true", "a.example/x": "1" },
    },
  });
  expect(
    withServiceAwaitSkipped({ metadata: { annotations: { "pulumi.com/skipAwait": "false" } } }),
  ).toEqual({ metadata: { annotations: { "pulumi.com/skipAwait": "false" } } });
});
