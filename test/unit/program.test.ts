/**
 * The program under mocks: exactly which resources the default stack registers, with which
 * inputs, and what it exports.
 */
import * as path from "node:path";
import { CLUSTER_NODE_PORTS } from "../../components";
import { minimalCluster, NETWORK, withGpu } from "../support/fixtures";
import { recordRegistrations, setStackConfig, type Registration } from "../support/mocks";
import { runProgram as runProgram_ } from "../support/program-runner";
// The module only exports the program function; nothing registers until it is called.
import program = require("../../index");

const registrations: Registration[] = recordRegistrations();
const CLUSTER = withGpu(minimalCluster("unit-cluster", [["gpu-1", "host-1"], ["cpu-1"]]), 0);

const runProgram = (config: Record<string, unknown>) => runProgram_(registrations, config);

/** What every variant registers: all but the routing-mode-specific objects. */
const BASE_RESOURCES = [
  "pulumi:providers:kubernetes k8s",
  "aios-infra:cluster:Namespaces aios",
  "kubernetes:core/v1:Namespace aios-blocks",
  "kubernetes:core/v1:Namespace aios-controllers",
  "kubernetes:core/v1:Namespace aios-metrics",
  "kubernetes:core/v1:Namespace aios-vdags",
  "aios-infra:cluster:NodeLabels nodes",
  "kubernetes:core/v1:NodePatch nodes-cpu-1",
  "kubernetes:core/v1:NodePatch nodes-gpu-1",
  "aios-infra:cluster:Gateway gateway",
  "kubernetes:core/v1:Namespace gateway-namespace",
  "kubernetes:helm.sh/v4:Chart gateway-chart",
  "aios-infra:cluster:ClusterServices services",
  "aios-infra:blocks:Blocks blocks",
  "kubernetes:core/v1:Namespace blocks-namespaces-third-party",
  // metrics Mongo: no API access, ClusterIP only
  "aios-infra:cluster:Workload services-metrics-db",
  "kubernetes:core/v1:ServiceAccount services-metrics-db-sa",
  "kubernetes:apps/v1:StatefulSet services-metrics-db-statefulset",
  "kubernetes:core/v1:Service services-metrics-db-svc-cluster-metrics-svc",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy services-metrics-db-networkpolicy",
  // metrics-writer and its redis
  "aios-infra:cluster:Workload services-metrics-writer",
  "kubernetes:core/v1:ServiceAccount services-metrics-writer-sa",
  "kubernetes:apps/v1:Deployment services-metrics-writer-deployment",
  "kubernetes:core/v1:Service services-metrics-writer-svc-metrics-writer-svc",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy services-metrics-writer-networkpolicy",
  // metrics-collector: reads nodes
  "aios-infra:cluster:Workload services-metrics-collector",
  "kubernetes:core/v1:ServiceAccount services-metrics-collector-sa",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole services-metrics-collector-clusterrole",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding services-metrics-collector-clusterrolebinding",
  "kubernetes:apps/v1:DaemonSet services-metrics-collector-daemonset",
  // <clusterId>-controller: manages block workloads in blocks and vdags, reads nodes
  "aios-infra:cluster:Workload services-controller",
  "kubernetes:core/v1:ServiceAccount services-controller-sa",
  "kubernetes:rbac.authorization.k8s.io/v1:Role services-controller-role-blocks",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding services-controller-rolebinding-blocks",
  "kubernetes:rbac.authorization.k8s.io/v1:Role services-controller-role-vdags",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding services-controller-rolebinding-vdags",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole services-controller-clusterrole",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding services-controller-clusterrolebinding",
  "kubernetes:apps/v1:Deployment services-controller-deployment",
  "kubernetes:core/v1:Service services-controller-svc-unit-cluster-controller-svc",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy services-controller-networkpolicy",
  // membership-server: labels nodes, writes bootstrap tokens in kube-system
  "aios-infra:cluster:Workload services-membership",
  "kubernetes:core/v1:ServiceAccount services-membership-sa",
  "kubernetes:rbac.authorization.k8s.io/v1:Role services-membership-role-kube-system",
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding services-membership-rolebinding-kube-system",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole services-membership-clusterrole",
  "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding services-membership-clusterrolebinding",
  "kubernetes:apps/v1:Deployment services-membership-deployment",
  "kubernetes:core/v1:Service services-membership-svc-membership-server-svc",
  // grpc-proxy: no API access
  "aios-infra:cluster:Workload services-grpc-proxy",
  "kubernetes:core/v1:ServiceAccount services-grpc-proxy-sa",
  "kubernetes:apps/v1:Deployment services-grpc-proxy-deployment",
  "kubernetes:core/v1:Service services-grpc-proxy-svc-grpc-proxy",
];

const labels = (name: string, component: string) => ({
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/instance": "unit-cluster",
  "app.kubernetes.io/component": component,
  "app.kubernetes.io/part-of": "aios",
  "app.kubernetes.io/managed-by": "pulumi",
  "aios.io/cluster-id": "unit-cluster",
});

describe("the default stack", () => {
  let outputs: Record<string, unknown>;
  beforeAll(async () => {
    outputs = await runProgram({ "aios-infra:cluster": CLUSTER });
  });

  test("Services skip the provider's endpoint await (10 s each); their workloads are awaited", () => {
    const services = registrations.filter((r) => r.type === "kubernetes:core/v1:Service");
    expect(services.length).toBeGreaterThan(3);
    for (const service of services) {
      expect((service.inputs.metadata as any).annotations).toEqual({
        "pulumi.com/skipAwait": "true",
      });
    }
  });

  test("registers exactly the provider, namespaces, node patches, gateway and cluster services", () => {
    expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        ...BASE_RESOURCES,
        "kubernetes:core/v1:Service services-metrics-writer-svc-metrics-writer-api",
      ].sort(),
    );
  });

  test("gives every namespace its fixed name and the recommended labels", () => {
    for (const ns of ["blocks", "controllers", "metrics", "vdags"]) {
      const reg = registrations.find((r) => r.name === `aios-${ns}`);
      expect(reg?.inputs.metadata).toEqual({ name: ns, labels: labels(ns, "namespace") });
    }
  });

  test("labels each configured node with its nodeID and the cluster id", () => {
    expect(registrations.find((r) => r.name === "nodes-gpu-1")?.inputs.metadata).toEqual({
      name: "host-1",
      labels: { nodeID: "gpu-1", "aios.io/cluster-id": "unit-cluster" },
      annotations: { "gpu.aios/info": '[{"modelName": "NVIDIA L4", "memory": 24576}]' },
    });
    expect(registrations.find((r) => r.name === "nodes-cpu-1")?.inputs.metadata).toEqual({
      name: "cpu-1",
      labels: { nodeID: "cpu-1", "aios.io/cluster-id": "unit-cluster" },
    });
  });

  test("pins the provider to the cluster, with server-side apply", () => {
    const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs).toMatchObject({
      clusterIdentifier: "aios-unit-cluster",
      enableServerSideApply: "true",
    });
    expect(provider?.inputs).not.toHaveProperty("kubeconfig");
  });

  test("exports the cluster id, namespaces and node ids", () => {
    expect(outputs).toEqual({
      clusterId: "unit-cluster",
      environment: "dev",
      namespaces: ["blocks", "controllers", "metrics", "vdags"],
      nodeIds: { "host-1": "gpu-1", "cpu-1": "cpu-1" },
      nodePorts: CLUSTER_NODE_PORTS,
      gatewayRoutes: [],
      blocks: {},
      addons: {},
      virtualNodes: {},
      network: NETWORK,
      registered: false,
      // The registry document: the blocks' SDK endpoints serve it (exactly in blocks-stack.test.ts).
      clusterDocument: expect.objectContaining({ id: "unit-cluster", nodes: expect.any(Object) }),
      // Exactly in operations-stack.test.ts.
      managedScope: expect.objectContaining({ nodes: ["cpu-1", "host-1"], virtualNodes: [] }),
      workloads: {
        "metrics-db": "cluster-metrics",
        "metrics-writer": "metrics-writer",
        "metrics-collector": "metrics-collector",
        controller: "unit-cluster-controller",
        membership: "membership-server",
        "grpc-proxy": "grpc-proxy",
      },
      urlMap: {
        controllerService: "http://127.0.0.1:32300",
        metricsService: "http://127.0.0.1:32301",
        blocksQuery: "http://127.0.0.1:32302",
        publicGateway: "http://127.0.0.1:32306",
        parameterUpdater: "http://127.0.0.1:32303",
        membershipServer: "http://127.0.0.1:30501",
      },
    });
  });
});

test("an invalid config registers nothing and exports nothing", async () => {
  const outputs = await runProgram({ "aios-infra:cluster": { id: "BAD" } });
  expect(outputs).toEqual({});
  expect(registrations).toEqual([]);
});

test("a kubeconfig from stack config reaches the provider as a secret, never in plain text", async () => {
  registrations.length = 0;
  setStackConfig(
    {
      "aios-infra:verifyNodes": false,
      "aios-infra:network": NETWORK,
      "aios-infra:cluster": CLUSTER,
      "aios-infra:kubeconfig": "apiVersion: v1\nkind: Config\n# token: s3cr3t",
    },
    ["aios-infra:kubeconfig"],
  );
  await program();
  await new Promise((r) => setTimeout(r, 50));
  const provider = registrations.find((r) => r.type === "pulumi:providers:kubernetes");
  expect(JSON.stringify(provider?.inputs.kubeconfig)).toContain("s3cr3t");
  expect(provider?.inputs.kubeconfig).toMatchObject({
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
  });
});

const byName = (name: string) => {
  const reg = registrations.find((r) => r.name === name);
  if (reg === undefined) {
    throw new Error(`no registration named ${name}`);
  }
  return reg.inputs as Record<string, any>;
};

const ofKind = (kind: string) => registrations.filter((r) => r.type.endsWith(`:${kind}`));

describe("the default stack's cluster services", () => {
  beforeAll(async () => {
    await runProgram({ "aios-infra:cluster": CLUSTER });
  });

  test("the controller runs upstream's six containers in order, with their ports and env", () => {
    const deployment = byName("services-controller-deployment");
    expect(deployment.metadata).toEqual({
      name: "unit-cluster-controller",
      namespace: "controllers",
      labels: labels("unit-cluster-controller", "cluster-controller"),
    });
    const pod = deployment.spec.template.spec;
    expect(
      pod.containers.map((c: any) => [c.name, c.image, c.ports.map((p: any) => p.containerPort)]),
    ).toEqual([
      ["redis", "redis:7.4.1", [6379]],
      ["infra", "34.58.1.86:31280/cluster/infra:latest", [4000]],
      ["block-transactions", "34.58.1.86:31280/cluster/block-tx:latest", [7500]],
      ["parameter-updater", "34.58.1.86:31280/cluster/parameter-updater:latest", [10000]],
      ["monitor", "34.58.1.86:31280/cluster/monitor:latest", [8500]],
      ["health", "34.58.1.86:31280/cluster/stability-checker:latest", [5000]],
    ]);
    const env = (i: number) =>
      Object.fromEntries(pod.containers[i].env.map((e: any) => [e.name, e.value]));
    expect(env(1)).toEqual({
      CLUSTER_ID: "unit-cluster",
      METRICS_SERVICE_URL: "http://metrics-writer-svc.metrics.svc.cluster.local:5000",
      CLUSTER_METRICS_SERVICE_URL: "http://metrics-writer-svc.metrics.svc.cluster.local:5000",
      POLICY_SYSTEM_EXECUTOR_ID: "",
      CLUSTER_DEFAULT_POLICY_EXECUTOR: "",
      CLUSTER_SERVICE_URL: NETWORK.cluster_db_url,
      BLOCKS_SERVICE_URL: NETWORK.blocks_db_url,
      VDAG_CONTROLLER_DB_URL: NETWORK.vdag_controller_db_url,
      VDAG_DB_API_URL: NETWORK.vdag_db_url,
      METRICS_REDIS_HOST: "metrics-writer-svc.metrics.svc.cluster.local",
      VDAG_CONTROLLER_IMAGE_NAME: "",
      VDAG_ADHOC_INFERENCE_SERVER_URL: "",
      CLUSTER_ACTIONS_MAP: "{}",
      POLICY_EXECUTION_MODE: "local",
      POLICY_DB_URL: NETWORK.policy_db_url,
      POLICY_RULE_REMOTE_URL: NETWORK.policy_db_url,
      POLICY_EXECUTOR_HOST_URL: NETWORK.policy_db_url,
      REDIS_URL: "",
      CLUSTER_DRY_RUN_MODE: "",
    });
    expect(env(2)).toEqual({
      BLOCKS_SERVICE_URL: NETWORK.blocks_db_url,
      CLUSTER_ID: "unit-cluster",
      CLUSTER_SERVICE_URL: NETWORK.cluster_db_url,
    });
    expect(pod.serviceAccountName).toBe("unit-cluster-controller");
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  test("the controller Service exposes its five APIs on the planned NodePorts", () => {
    expect(byName("services-controller-svc-unit-cluster-controller-svc").spec).toEqual({
      type: "NodePort",
      selector: {
        "app.kubernetes.io/name": "unit-cluster-controller",
        "app.kubernetes.io/instance": "unit-cluster",
      },
      ports: [
        { name: "infra", port: 4000, targetPort: "infra", protocol: "TCP", nodePort: 32300 },
        { name: "block-tx", port: 7500, targetPort: "block-tx", protocol: "TCP", nodePort: 32302 },
        { name: "params", port: 10000, targetPort: "params", protocol: "TCP", nodePort: 32303 },
        { name: "monitor", port: 8500, targetPort: "monitor", protocol: "TCP", nodePort: 32304 },
        { name: "health", port: 5555, targetPort: "health", protocol: "TCP", nodePort: 32305 },
      ],
    });
  });

  test("metrics: the API on NodePort 32301, its redis and the Mongo on ClusterIP only", () => {
    expect(byName("services-metrics-writer-svc-metrics-writer-api").spec).toMatchObject({
      type: "NodePort",
      ports: [{ name: "api", port: 5000, targetPort: "api", protocol: "TCP", nodePort: 32301 }],
    });
    expect(byName("services-metrics-writer-svc-metrics-writer-svc").spec).toMatchObject({
      type: "ClusterIP",
      ports: [
        { name: "api", port: 5000, targetPort: "api", protocol: "TCP" },
        { name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" },
      ],
    });
    expect(byName("services-metrics-db-svc-cluster-metrics-svc").spec.type).toBe("ClusterIP");
    const writerEnv = byName("services-metrics-writer-deployment").spec.template.spec.containers[0]
      .env as { name: string; value: string }[];
    expect(Object.fromEntries(writerEnv.map((e) => [e.name, e.value]))).toEqual({
      BLOCK_METRICS_GLOBAL_DB_REDIS_HOST: NETWORK.global_block_metrics_redis_host,
      CLUSTER_METRICS_GLOBAL_DB_REDIS_HOST: NETWORK.global_cluster_metrics_redis_host,
      VDAG_METRICS_GLOBAL_DB_REDIS_HOST: NETWORK.global_vdag_metrics_redis_host,
      CLUSTER_ID: "unit-cluster",
      CLUSTER_METRICS_WRITE_INTERVAL: "30",
      MONGO_URL: "mongodb://cluster-metrics-svc.metrics.svc.cluster.local:27017/metrics",
    });
    // Without metricsStorage the Mongo keeps its data in an emptyDir and claims no volume.
    const mongo = byName("services-metrics-db-statefulset").spec;
    expect(mongo.volumeClaimTemplates).toBeUndefined();
    expect(mongo.template.spec.volumes).toEqual([{ name: "data", emptyDir: {} }]);
  });

  test("the unauthenticated datastores accept only the AIOS pods that use them", () => {
    const tcp = (...ports: string[]) => ports.map((port) => ({ port, protocol: "TCP" }));
    const selector = (name: string) => ({
      matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": "unit-cluster" },
    });
    expect(byName("services-metrics-db-networkpolicy").spec).toEqual({
      podSelector: selector("cluster-metrics"),
      policyTypes: ["Ingress"],
      ingress: [
        {
          ports: tcp("mongo"),
          from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-writer" } } }],
        },
      ],
    });
    expect(byName("services-metrics-writer-networkpolicy").spec.ingress).toEqual([
      { ports: tcp("api") },
      {
        ports: tcp("redis"),
        from: [{ namespaceSelector: { matchLabels: { "aios.io/cluster-id": "unit-cluster" } } }],
      },
    ]);
    // The controller's redis sidecar is not among the ports other pods may reach.
    expect(byName("services-controller-networkpolicy").spec.ingress).toEqual([
      { ports: tcp("infra", "block-tx", "params", "monitor", "health") },
    ]);
  });

  test("the collector is the only privileged container, reading /proc and /sys read-only", () => {
    const ds = byName("services-metrics-collector-daemonset").spec.template.spec;
    expect(ds.tolerations).toEqual([{ operator: "Exists" }]);
    expect(ds.containers[0].volumeMounts).toEqual([
      { name: "proc", mountPath: "/host/proc", readOnly: true },
      { name: "sys", mountPath: "/host/sys", readOnly: true },
    ]);
    expect(ds.containers[0].env).toContainEqual({
      name: "KUBERNETES_NODE_NAME",
      valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
    });
    const privileged = ["Deployment", "StatefulSet", "DaemonSet"]
      .flatMap(ofKind)
      .flatMap((r) =>
        (r.inputs as any).spec.template.spec.containers
          .filter((c: any) => c.securityContext.privileged === true)
          .map((c: { name: string }) => `${r.name}/${c.name}`),
      );
    expect(privileged).toEqual(["services-metrics-collector-daemonset/metrics-collector"]);
  });

  test("membership-server gets CLUSTER_SERVICE_URL (upstream falls back to a hard-coded IP)", () => {
    const env = byName("services-membership-deployment").spec.template.spec.containers[0].env as {
      name: string;
      value: string;
    }[];
    expect(env).toContainEqual({ name: "CLUSTER_SERVICE_URL", value: NETWORK.cluster_db_url });
    expect(byName("services-membership-svc-membership-server-svc").spec.ports).toEqual([
      { name: "http", port: 8080, targetPort: "http", protocol: "TCP", nodePort: 30501 },
    ]);
    expect(byName("services-grpc-proxy-svc-grpc-proxy").spec.ports).toEqual([
      { name: "grpc", port: 9000, targetPort: "grpc", protocol: "TCP", nodePort: 32306 },
    ]);
  });

  test("every container has a readiness probe, requests and limits, and the pods the labels", () => {
    const workloads = ["Deployment", "StatefulSet", "DaemonSet"].flatMap(ofKind);
    expect(workloads).toHaveLength(6);
    for (const w of workloads) {
      const inputs = w.inputs as any;
      expect(inputs.spec.template.metadata.labels).toEqual(inputs.metadata.labels);
      expect(inputs.metadata.labels["aios.io/cluster-id"]).toBe("unit-cluster");
      for (const c of inputs.spec.template.spec.containers) {
        expect([w.name, c.name, Object.keys(c.readinessProbe).sort()]).toEqual([
          w.name,
          c.name,
          ["failureThreshold", "periodSeconds", "tcpSocket"],
        ]);
        expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
        expect(Object.keys(c.resources.limits).sort()).toEqual(["cpu", "memory"]);
      }
    }
  });

  test("no binding to cluster-admin, no wildcard rule, no pod on a default ServiceAccount", () => {
    const bindings = [...ofKind("RoleBinding"), ...ofKind("ClusterRoleBinding")];
    expect(bindings).toHaveLength(6);
    for (const b of bindings) {
      const roleRef = (b.inputs as any).roleRef;
      expect([b.name, roleRef.name]).not.toEqual([b.name, "cluster-admin"]);
      expect(roleRef.name).toMatch(/^(aios:unit-cluster:)?[a-z0-9-]+$/);
    }
    for (const role of [...ofKind("Role"), ...ofKind("ClusterRole")]) {
      for (const rule of (role.inputs as any).rules) {
        for (const field of ["apiGroups", "resources", "verbs"]) {
          expect([role.name, field, rule[field]]).toEqual([
            role.name,
            field,
            expect.not.arrayContaining(["*"]),
          ]);
        }
      }
    }
    const tokenless = ["Deployment", "StatefulSet", "DaemonSet"]
      .flatMap(ofKind)
      .filter((r) => (r.inputs as any).spec.template.spec.automountServiceAccountToken === false)
      .map((r) => r.name)
      .sort();
    expect(tokenless).toEqual([
      "services-grpc-proxy-deployment",
      "services-metrics-db-statefulset",
      "services-metrics-writer-deployment",
    ]);
    for (const w of ["Deployment", "StatefulSet", "DaemonSet"].flatMap(ofKind)) {
      expect((w.inputs as any).spec.template.spec.serviceAccountName).not.toBe("default");
    }
  });

  test("the gateway chart is pinned, with http and https on their own planned NodePorts", () => {
    const chart = byName("gateway-chart");
    expect(chart).toMatchObject({
      name: "ambassador",
      namespace: "ambassador",
      chart: "ambassador",
      version: "6.9.5",
      repositoryOpts: { repo: "https://app.getambassador.io" },
    });
    expect(chart.values.service).toEqual({
      type: "NodePort",
      ports: [
        { name: "http", port: 80, targetPort: 8080, nodePort: 32000 },
        { name: "https", port: 443, targetPort: 8443, nodePort: 32009 },
      ],
    });
    expect(chart.values.adminService).toEqual({ create: true, type: "ClusterIP" });
  });

  test("every NodePort of every Service comes from the plan, once, and none serves a datastore", () => {
    const nodePorts = ofKind("Service").flatMap((s) =>
      ((s.inputs as any).spec.ports as { nodePort?: number; port: number }[])
        .filter((p) => p.nodePort !== undefined)
        .map((p) => [p.nodePort, p.port]),
    );
    const planned = Object.entries(CLUSTER_NODE_PORTS)
      .filter(([claim]) => !claim.startsWith("gateway"))
      .map(([, port]) => port)
      .sort();
    expect(nodePorts.map(([n]) => n).sort()).toEqual(planned);
    expect(nodePorts.map(([, port]) => port)).not.toContain(6379);
    expect(nodePorts.map(([, port]) => port)).not.toContain(27017);
  });
});

describe("the gateway-routed stack (config.useGateway)", () => {
  let outputs: Record<string, unknown>;
  const routed = { ...CLUSTER, config: { publicHostname: "aios.example.org", useGateway: true } };
  beforeAll(async () => {
    outputs = await runProgram({
      "aios-infra:cluster": routed,
      "aios-infra:gateway": {
        chart: { path: "charts/gw" },
        mappingApiVersion: "getambassador.io/v3alpha1",
      },
    });
  });

  test("adds the four Mappings and drops the NodePorts the gateway replaces", () => {
    expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        ...BASE_RESOURCES,
        "kubernetes:getambassador.io/v3alpha1:Mapping gateway-mapping-controller",
        "kubernetes:getambassador.io/v3alpha1:Mapping gateway-mapping-metrics",
        "kubernetes:getambassador.io/v3alpha1:Mapping gateway-mapping-blocks",
        "kubernetes:getambassador.io/v3alpha1:Mapping gateway-mapping-mgmt",
      ].sort(),
    );
    expect(byName("services-controller-svc-unit-cluster-controller-svc").spec.type).toBe(
      "ClusterIP",
    );
  });

  test("routes each prefix to the right Service and port (upstream sent /blocks to 8000)", () => {
    expect(
      ["controller", "metrics", "blocks", "mgmt"].map((n) => byName(`gateway-mapping-${n}`).spec),
    ).toEqual([
      {
        hostname: "*",
        prefix: "/controller/",
        service: "unit-cluster-controller-svc.controllers:4000",
      },
      { hostname: "*", prefix: "/metrics/", service: "metrics-writer-svc.metrics:5000" },
      {
        hostname: "*",
        prefix: "/blocks/",
        service: "unit-cluster-controller-svc.controllers:7500",
      },
      { hostname: "*", prefix: "/mgmt/", service: "unit-cluster-controller-svc.controllers:10000" },
    ]);
    expect(byName("gateway-mapping-blocks").metadata).toMatchObject({
      name: "aios-blocks",
      namespace: "ambassador",
    });
  });

  test("installs the local chart by absolute path, without repository or version", () => {
    const chart = byName("gateway-chart");
    expect(chart.chart).toBe(path.resolve(__dirname, "..", "..", "charts/gw"));
    expect(chart).not.toHaveProperty("version");
    expect(chart).not.toHaveProperty("repositoryOpts");
  });

  test("exports a plain-string urlMap through the gateway and only the ports it claims", () => {
    expect(outputs.urlMap).toEqual({
      controllerService: "http://aios.example.org:32000/controller",
      metricsService: "http://aios.example.org:32000/metrics",
      blocksQuery: "http://aios.example.org:32000/blocks",
      publicGateway: "http://aios.example.org:32306",
      parameterUpdater: "http://aios.example.org:32000/mgmt",
      membershipServer: "http://aios.example.org:30501",
    });
    expect(outputs.nodePorts).toEqual({
      gatewayHttp: 32000,
      gatewayHttps: 32009,
      membership: 30501,
      grpcProxy: 32306,
    });
    expect(outputs.gatewayRoutes).toEqual(["/controller/", "/metrics/", "/blocks/", "/mgmt/"]);
  });
});

test("metricsStorage gives the Mongo a persistent volume claim of the asked size and class", async () => {
  await runProgram({
    "aios-infra:cluster": CLUSTER,
    "aios-infra:metricsStorage": { sizeMB: 20480, storageClassName: "fast" },
  });
  const spec = byName("services-metrics-db-statefulset").spec;
  expect(spec.volumeClaimTemplates).toEqual([
    {
      metadata: { name: "data", labels: labels("cluster-metrics", "metrics-db") },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "20480M" } },
        storageClassName: "fast",
      },
    },
  ]);
  expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
    whenDeleted: "Delete",
    whenScaled: "Retain",
  });
  expect(spec.template.spec.volumes).toBeUndefined();
});

describe("registration and delegated infrastructure", () => {
  const network = {
    ...NETWORK,
    parser_url: "http://mgmt.test:30501",
    cluster_controller_gateway_url: "http://mgmt.test:30600",
    tasks_db_url: "http://mgmt.test:30108",
  };

  test("a registered cluster gets its registration and urlMap, with the registry's endpoints", async () => {
    await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:network": network,
      "aios-infra:registration": { enabled: true },
    });
    const endpoints = {
      parser: "http://mgmt.test:30501",
      gateway: "http://mgmt.test:30600",
      clusterRegistry: NETWORK.cluster_db_url,
      tasksDb: "http://mgmt.test:30108",
    };
    expect(byName("registration")).toMatchObject({ endpoints, clusterId: "unit-cluster" });
    expect(byName("registration").document.nodes.nodeData[0]).not.toHaveProperty(
      "kubernetesNodeName",
    );
    expect(byName("url-map")).toMatchObject({
      endpoints,
      clusterId: "unit-cluster",
      urlMap: { controllerService: "http://127.0.0.1:32300" },
    });
  });

  test("delegated infrastructure replaces the declared services, and carries no kubeconfig", async () => {
    await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:network": network,
      "aios-infra:registration": { enabled: true },
      "aios-infra:infrastructure": { mode: "delegated", timeoutSeconds: 600 },
    });
    const types = registrations.map((r) => `${r.type} ${r.name}`);
    expect(types).toContain(
      "pulumi-nodejs:dynamic/aios-infra:DelegatedClusterInfra delegated-infra",
    );
    expect(types.filter((t) => t.includes("ClusterServices") || t.includes("Workload"))).toEqual(
      [],
    );
    expect(Object.keys(byName("delegated-infra")).sort()).toEqual([
      "__provider",
      "clusterId",
      "endpoints",
      "providerVersion",
      "timeoutSeconds",
    ]);
  });
});
