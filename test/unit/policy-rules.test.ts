/**
 * Each rule of the policy pack: a compliant fixture passes, then one field at a time is broken and
 * the exact violation is asserted; the rules' tunables change what they accept.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { POLICIES } from "../../policies/policies";
import { containerResources } from "../../policies/rules/container-resources";
import { credentialsInSecrets } from "../../policies/rules/credentials-in-secrets";
import { helmChartsPinned } from "../../policies/rules/helm-charts-pinned";
import { imagesPinned } from "../../policies/rules/images-pinned";
import { noClusterAdmin } from "../../policies/rules/no-cluster-admin";
import { noControlPlaneExposure } from "../../policies/rules/no-control-plane-exposure";
import { noDatastoreOnNodePort } from "../../policies/rules/no-datastore-on-nodeport";
import { noPrivilegedContainers } from "../../policies/rules/no-privileged-containers";
import { noRbacWildcards } from "../../policies/rules/no-rbac-wildcards";
import { nodePortInRange } from "../../policies/rules/nodeport-in-range";
import { nodePortUnique } from "../../policies/rules/nodeport-unique";
import { readinessProbes } from "../../policies/rules/readiness-probes";
import { recommendedLabels } from "../../policies/rules/recommended-labels";
import {
  resourceViolations,
  stackViolations,
  type ResourceFixture,
} from "../support/policy-harness";

const T = {
  service: "kubernetes:core/v1:Service",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  job: "kubernetes:batch/v1:Job",
  role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  configMap: "kubernetes:core/v1:ConfigMap",
  release: "kubernetes:helm.sh/v3:Release",
  chart: "kubernetes:helm.sh/v4:Chart",
};

const LABELS = {
  "app.kubernetes.io/name": "metrics-writer",
  "app.kubernetes.io/instance": "c1",
  "app.kubernetes.io/component": "metrics",
  "app.kubernetes.io/part-of": "aios",
  "app.kubernetes.io/managed-by": "pulumi",
  "aios.io/cluster-id": "c1",
};

const container = (name: string, image: string) => ({
  name,
  image,
  ports: [{ name: "api", containerPort: 5000 }],
  env: [
    { name: "MONGO_URL", value: "mongodb://db:27017/metrics" },
    { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
  ],
  readinessProbe: { tcpSocket: { port: "api" } },
  resources: {
    requests: { cpu: "100m", memory: "128Mi" },
    limits: { cpu: "200m", memory: "256Mi" },
  },
  securityContext: { allowPrivilegeEscalation: false, privileged: false },
});

/** A compliant Deployment `metrics/metrics-writer` with two containers. */
const deployment = (): any => ({
  metadata: { name: "metrics-writer", namespace: "metrics", labels: { ...LABELS } },
  spec: {
    template: {
      spec: {
        containers: [
          container("metrics-writer", "registry.example/aios/metrics:1.4.2"),
          container("redis", "redis:7.4.1"),
        ],
      },
    },
  },
});

/** A compliant NodePort Service `metrics/metrics-writer-api`. */
const service = (): any => ({
  metadata: { name: "metrics-writer-api", namespace: "metrics", labels: { ...LABELS } },
  spec: {
    type: "NodePort",
    selector: { "app.kubernetes.io/name": "metrics-writer" },
    ports: [{ name: "api", port: 5000, targetPort: "api", nodePort: 32301 }],
  },
});

/** The fixture with `mutate` applied to a fresh copy. */
function broken(fixture: () => any, mutate: (p: any) => void): any {
  const props = fixture();
  mutate(props);
  return props;
}

async function check(
  policy: ResourceValidationPolicy,
  type: string,
  props: any,
  config: Record<string, unknown> = {},
  urn?: string,
): Promise<string[]> {
  return resourceViolations(
    policy,
    { type, props, name: "fixture", ...(urn === undefined ? {} : { urn }) },
    config,
  );
}

test("the pack has one rule per file, named, described and unique", () => {
  const names = POLICIES.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toEqual([
    "nodeport-in-range",
    "nodeport-unique",
    "no-control-plane-exposure",
    "no-cluster-admin",
    "no-rbac-wildcards",
    "no-privileged-containers",
    "images-pinned",
    "container-resources",
    "readiness-probes",
    "no-datastore-on-nodeport",
    "helm-charts-pinned",
    "recommended-labels",
    "credentials-in-secrets",
  ]);
  for (const p of POLICIES) {
    expect([p.name, p.description.endsWith(".")]).toEqual([p.name, true]);
  }
});

describe("nodeport-in-range", () => {
  test("accepts a NodePort in range, reports one outside, honours a narrower configured range", async () => {
    expect(await check(nodePortInRange, T.service, service())).toEqual([]);
    expect(
      await check(
        nodePortInRange,
        T.service,
        broken(service, (p) => (p.spec.ports[0].nodePort = 40000)),
      ),
    ).toEqual([
      "Service metrics/metrics-writer-api port 'api' uses NodePort 40000, outside the cluster's range 30000-32767. Choose a port inside the range.",
    ]);
    expect(await check(nodePortInRange, T.service, service(), { min: 32400, max: 32767 })).toEqual([
      "Service metrics/metrics-writer-api port 'api' uses NodePort 32301, outside the cluster's range 32400-32767. Choose a port inside the range.",
    ]);
  });
});

describe("nodeport-unique", () => {
  const other = (): any =>
    broken(service, (p) => {
      p.metadata.name = "grpc-proxy";
      p.metadata.namespace = "controllers";
      p.spec.ports = [{ name: "grpc", port: 9000, targetPort: "grpc", nodePort: 32306 }];
    });
  test("accepts distinct NodePorts and names both Services of a shared one", async () => {
    const stack = (b: any): ResourceFixture[] => [
      { type: T.service, props: service(), name: "a" },
      { type: T.service, props: b, name: "b" },
      { type: T.deployment, props: deployment(), name: "c" },
    ];
    expect(await stackViolations(nodePortUnique, stack(other()))).toEqual([]);
    expect(
      await stackViolations(
        nodePortUnique,
        stack(broken(other, (p) => (p.spec.ports[0].nodePort = 32301))),
      ),
    ).toEqual([
      "NodePort 32301 is used by Service metrics/metrics-writer-api (port 'api') and by Service controllers/grpc-proxy (port 'grpc'). Give one of them another port.",
    ]);
  });
});

describe("no-control-plane-exposure", () => {
  test("accepts a pod-network workload and a selecting Service", async () => {
    expect(await check(noControlPlaneExposure, T.deployment, deployment())).toEqual([]);
    // A pod listening on 10250 behind a selector is not the kubelet.
    expect(
      await check(
        noControlPlaneExposure,
        T.service,
        broken(service, (p) => (p.spec.ports[0].port = 10250)),
      ),
    ).toEqual([]);
  });
  test.each([
    [
      "hostNetwork",
      T.deployment,
      () => broken(deployment, (p) => (p.spec.template.spec.hostNetwork = true)),
      "Deployment metrics/metrics-writer runs on the host network, which exposes the node's control-plane ports (6443, 2379, 2380, 10250, 10257, 10259). Remove hostNetwork.",
    ],
    [
      "a control-plane hostPort",
      T.deployment,
      () =>
        broken(deployment, (p) => (p.spec.template.spec.containers[1].ports[0].hostPort = 10250)),
      "Deployment metrics/metrics-writer container 'redis' binds hostPort 10250, a control-plane port. Remove the hostPort.",
    ],
    [
      "a selector-less Service forwarding 6443",
      T.service,
      () =>
        broken(service, (p) => {
          delete p.spec.selector;
          p.spec.ports[0].targetPort = 6443;
        }),
      "Service metrics/metrics-writer-api has no selector and forwards port 6443, a control-plane port. Select pods instead, or forward another port.",
    ],
  ])("reports %s", async (_what, type, props, expected) => {
    expect(await check(noControlPlaneExposure, type, props())).toEqual([expected]);
  });
  test("a host-network workload can be allow-listed", async () => {
    const hostNet = broken(deployment, (p) => (p.spec.template.spec.hostNetwork = true));
    expect(
      await check(noControlPlaneExposure, T.deployment, hostNet, {
        hostNetworkAllowed: ["metrics/metrics-writer"],
      }),
    ).toEqual([]);
  });
});

describe("no-cluster-admin and no-rbac-wildcards", () => {
  const binding = (): any => ({
    metadata: { name: "aios:c1:controller", labels: { ...LABELS } },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "aios:c1:controller",
    },
    subjects: [{ kind: "ServiceAccount", name: "controller", namespace: "controllers" }],
  });
  const role = (): any => ({
    metadata: { name: "controller", namespace: "blocks", labels: { ...LABELS } },
    rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] }],
  });
  test("accept least-privilege bindings and rules", async () => {
    expect(await check(noClusterAdmin, T.clusterRoleBinding, binding())).toEqual([]);
    expect(await check(noRbacWildcards, T.role, role())).toEqual([]);
  });
  test("report a binding to cluster-admin", async () => {
    for (const type of [T.clusterRoleBinding, T.roleBinding]) {
      const kind = type.split(":").pop();
      expect(
        await check(
          noClusterAdmin,
          type,
          broken(binding, (p) => (p.roleRef.name = "cluster-admin")),
        ),
      ).toEqual([
        `${kind} aios:c1:controller grants cluster-admin. Bind a Role with only the verbs and resources the workload uses.`,
      ]);
    }
  });
  test("report admin or edit granted cluster-wide, and the system:masters group", async () => {
    expect(
      await check(
        noClusterAdmin,
        T.clusterRoleBinding,
        broken(binding, (p) => (p.roleRef.name = "edit")),
      ),
    ).toEqual([
      "ClusterRoleBinding aios:c1:controller grants edit cluster-wide. Bind a Role with only the verbs and resources the workload uses.",
    ]);
    // In one namespace, the built-in admin role is a namespace admin: allowed.
    expect(
      await check(
        noClusterAdmin,
        T.roleBinding,
        broken(binding, (p) => (p.roleRef.name = "admin")),
      ),
    ).toEqual([]);
    expect(
      await check(
        noClusterAdmin,
        T.roleBinding,
        broken(binding, (p) => p.subjects.push({ kind: "Group", name: "system:masters" })),
      ),
    ).toEqual([
      "RoleBinding aios:c1:controller names the group system:masters, which bypasses RBAC. Bind the workload's own ServiceAccount.",
    ]);
  });
  test.each([["verbs"], ["resources"], ["apiGroups"]])("report '*' in %s", async (field) => {
    expect(
      await check(
        noRbacWildcards,
        T.clusterRole,
        broken(role, (p) => (p.rules[0][field] = ["*"])),
      ),
    ).toEqual([
      `ClusterRole blocks/controller rule 0 has '*' in ${field}. Name each one the workload needs.`,
    ]);
  });
  test("leave a chart's own RBAC (third-party software) to the chart", async () => {
    const chartUrn =
      "urn:pulumi:unit::aios-infra::aios-infra:cluster:Gateway$kubernetes:helm.sh/v4:Chart$kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::gateway-chart:ambassador";
    const wildcard = broken(role, (p) => (p.rules[0].resources = ["*"]));
    expect(await check(noRbacWildcards, T.clusterRole, wildcard, {}, chartUrn)).toEqual([]);
  });
});

describe("no-privileged-containers", () => {
  const collector = (): any =>
    broken(deployment, (p) => {
      p.metadata = { name: "metrics-collector", namespace: "metrics", labels: { ...LABELS } };
      p.spec.template.spec.containers[0].securityContext = { privileged: true };
    });
  test("accepts unprivileged containers and the allow-listed metrics collector", async () => {
    expect(await check(noPrivilegedContainers, T.deployment, deployment())).toEqual([]);
    expect(await check(noPrivilegedContainers, T.daemonSet, collector())).toEqual([]);
  });
  test("reports a privileged container elsewhere, and the collector once the allow-list is emptied", async () => {
    expect(
      await check(
        noPrivilegedContainers,
        T.deployment,
        broken(
          deployment,
          (p) => (p.spec.template.spec.containers[1].securityContext.privileged = true),
        ),
      ),
    ).toEqual([
      "Deployment metrics/metrics-writer container 'redis' is privileged. Remove securityContext.privileged, or allow-list the workload.",
    ]);
    expect(await check(noPrivilegedContainers, T.daemonSet, collector(), { allowed: [] })).toEqual([
      "DaemonSet metrics/metrics-collector container 'metrics-writer' is privileged. Remove securityContext.privileged, or allow-list the workload.",
    ]);
  });
});

test("no-privileged-containers reports privileged capabilities and host PID/IPC sharing", async () => {
  const props = broken(deployment, (p) => {
    p.spec.template.spec.hostPID = true;
    p.spec.template.spec.containers[1].securityContext.capabilities = {
      add: ["NET_BIND_SERVICE", "CAP_SYS_ADMIN"],
    };
  });
  expect(await check(noPrivilegedContainers, T.deployment, props)).toEqual([
    "Deployment metrics/metrics-writer sets hostPID, sharing the host's processes. Remove it, or allow-list the workload.",
    "Deployment metrics/metrics-writer container 'redis' adds the capability CAP_SYS_ADMIN. Drop it, or allow-list the workload.",
  ]);
});

describe("images-pinned", () => {
  test("accepts version tags, registry ports and digests", async () => {
    const digest = `redis@sha256:${"a".repeat(64)}`;
    for (const image of ["redis:7.4.1", "10.0.0.5:5000/aios/metrics:1.4.2", digest]) {
      const props = broken(deployment, (p) => (p.spec.template.spec.containers[1].image = image));
      expect([image, await check(imagesPinned, T.deployment, props)]).toEqual([image, []]);
    }
  });
  test.each([["redis:latest"], ["redis"], ["34.58.1.86:31280/cluster/metrics"]])(
    "reports '%s'",
    async (image) => {
      const props = broken(deployment, (p) => (p.spec.template.spec.containers[1].image = image));
      expect(await check(imagesPinned, T.deployment, props)).toEqual([
        `Deployment metrics/metrics-writer container 'redis' runs '${image}', which is not pinned. Use a version tag other than 'latest', or a digest.`,
      ]);
    },
  );
  test("checks init containers and Jobs too", async () => {
    const job = broken(deployment, (p) => {
      p.spec.template.spec.initContainers = [{ ...container("keyfile", "mongo:latest") }];
    });
    expect(await check(imagesPinned, T.job, job)).toEqual([
      "Job metrics/metrics-writer init container 'keyfile' runs 'mongo:latest', which is not pinned. Use a version tag other than 'latest', or a digest.",
    ]);
  });
});

describe("container-resources and readiness-probes", () => {
  test("accept a workload with both", async () => {
    expect(await check(containerResources, T.statefulSet, deployment())).toEqual([]);
    expect(await check(readinessProbes, T.statefulSet, deployment())).toEqual([]);
  });
  test("report each missing request and limit", async () => {
    const props = broken(deployment, (p) => {
      delete p.spec.template.spec.containers[0].resources.limits.memory;
      delete p.spec.template.spec.containers[0].resources.requests;
    });
    expect(await check(containerResources, T.deployment, props)).toEqual([
      "Deployment metrics/metrics-writer container 'metrics-writer' has no resources.requests.cpu, resources.requests.memory, resources.limits.memory. Set CPU and memory requests and limits.",
    ]);
  });
  test("report a container without a readiness probe (not init containers, not Jobs)", async () => {
    const props = broken(deployment, (p) => {
      delete p.spec.template.spec.containers[1].readinessProbe;
      p.spec.template.spec.initContainers = [{ name: "init", image: "busybox:1.36" }];
    });
    expect(await check(readinessProbes, T.deployment, props)).toEqual([
      "Deployment metrics/metrics-writer container 'redis' has no readiness probe. Add one, so rollouts wait until it serves.",
    ]);
    expect(await check(readinessProbes, T.job, props)).toEqual([]);
  });
});

describe("no-datastore-on-nodeport", () => {
  test("accepts an API on a NodePort and a datastore on ClusterIP", async () => {
    expect(await check(noDatastoreOnNodePort, T.service, service())).toEqual([]);
    const internal = broken(service, (p) => {
      p.spec.type = "ClusterIP";
      p.spec.ports = [{ name: "redis", port: 6379, targetPort: "redis" }];
    });
    expect(await check(noDatastoreOnNodePort, T.service, internal)).toEqual([]);
  });
  test.each([
    ["by number", { name: "queue", port: 6379, targetPort: 6379, nodePort: 30901 }, "queue", 6379],
    [
      "by name",
      { name: "mongo", port: 27018, targetPort: "mongo", nodePort: 30902 },
      "mongo",
      27018,
    ],
    ["postgres", { name: "db", port: 5432, targetPort: 5432, nodePort: 30903 }, "db", 5432],
  ])("reports a datastore %s", async (_what, port, label, number) => {
    const props = broken(service, (p) => p.spec.ports.push(port));
    expect(await check(noDatastoreOnNodePort, T.service, props)).toEqual([
      `Service metrics/metrics-writer-api exposes datastore port '${label}' (${number}) on a NodePort Service. Serve it on a ClusterIP Service.`,
    ]);
    expect(
      await check(noDatastoreOnNodePort, T.service, props, {
        allowedServices: ["metrics/metrics-writer-api"],
      }),
    ).toEqual([]);
  });
});

describe("helm-charts-pinned", () => {
  const release = (): any => ({
    chart: "redis",
    version: "19.6.4",
    repositoryOpts: { repo: "https://charts.bitnami.com/bitnami" },
  });
  test("accepts an exact version and a local chart without one", async () => {
    expect(await check(helmChartsPinned, T.release, release())).toEqual([]);
    expect(await check(helmChartsPinned, T.chart, { chart: "./charts/ambassador" })).toEqual([]);
    expect(
      await check(helmChartsPinned, T.chart, {
        chart: "oci://registry.example/charts/x",
        version: "1.2.3",
      }),
    ).toEqual([]);
  });
  test("reports a missing version and a range", async () => {
    expect(
      await check(
        helmChartsPinned,
        T.release,
        broken(release, (p) => delete p.version),
      ),
    ).toEqual([
      "Helm Release 'fixture' (chart 'redis') has no version. Pin it to an exact chart version.",
    ]);
    expect(
      await check(
        helmChartsPinned,
        T.chart,
        broken(release, (p) => (p.version = "^19.0.0")),
      ),
    ).toEqual([
      "Helm Chart 'fixture' (chart 'redis') has version '^19.0.0', a range. Pin it to an exact chart version.",
    ]);
    expect(await check(helmChartsPinned, T.chart, { chart: "datawire/ambassador" })).toEqual([
      "Helm Chart 'fixture' (chart 'datawire/ambassador') has no version. Pin it to an exact chart version.",
    ]);
  });
});

describe("recommended-labels", () => {
  test("accepts a labelled object and ignores charts and patches", async () => {
    expect(await check(recommendedLabels, T.service, service())).toEqual([]);
    expect(await check(recommendedLabels, T.chart, { chart: "./x" })).toEqual([]);
    expect(
      await check(recommendedLabels, "kubernetes:core/v1:NodePatch", { metadata: { name: "n" } }),
    ).toEqual([]);
  });
  test("names every missing label", async () => {
    const props = broken(service, (p) => {
      delete p.metadata.labels["aios.io/cluster-id"];
      delete p.metadata.labels["app.kubernetes.io/part-of"];
    });
    expect(await check(recommendedLabels, T.service, props)).toEqual([
      "Service metrics/metrics-writer-api lacks the labels app.kubernetes.io/part-of, aios.io/cluster-id. Label every object so selectors, policies and inventories see it.",
    ]);
    const one = broken(service, (p) => delete p.metadata.labels["app.kubernetes.io/name"]);
    expect(await check(recommendedLabels, T.service, one)).toEqual([
      "Service metrics/metrics-writer-api lacks the label app.kubernetes.io/name. Label every object so selectors, policies and inventories see it.",
    ]);
  });
});

describe("credentials-in-secrets", () => {
  const configMap = (): any => ({
    metadata: { name: "settings", namespace: "blocks", labels: { ...LABELS } },
    data: { LOG_LEVEL: "info", REGISTRY_AUTH_HTPASSWD_PATH: "/auth/htpasswd" },
  });
  test("accepts env from Secrets and harmless names", async () => {
    expect(await check(credentialsInSecrets, T.deployment, deployment())).toEqual([]);
    expect(await check(credentialsInSecrets, T.configMap, configMap())).toEqual([]);
  });
  test.each([
    [
      "a plain password env",
      T.deployment,
      () =>
        broken(deployment, (p) =>
          p.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" }),
        ),
      "Deployment metrics/metrics-writer container 'metrics-writer' sets DB_PASSWORD in plain text. Take it from a Secret (valueFrom.secretKeyRef).",
    ],
    [
      "an access key env",
      T.deployment,
      () =>
        broken(deployment, (p) =>
          p.spec.template.spec.containers[1].env.push({
            name: "AWS_SECRET_ACCESS_KEY",
            value: "x",
          }),
        ),
      "Deployment metrics/metrics-writer container 'redis' sets AWS_SECRET_ACCESS_KEY in plain text. Take it from a Secret (valueFrom.secretKeyRef).",
    ],
    [
      "a kubeconfig in a ConfigMap",
      T.configMap,
      () =>
        broken(
          configMap,
          (p) => (p.data.cluster = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n"),
        ),
      "ConfigMap blocks/settings holds a credential in key 'cluster'. Keep it in a Secret.",
    ],
    [
      "a token key in a ConfigMap",
      T.configMap,
      () => broken(configMap, (p) => (p.data.apiToken = "abc")),
      "ConfigMap blocks/settings holds a credential in key 'apiToken'. Keep it in a Secret.",
    ],
    [
      "a private key in an annotation",
      T.service,
      () =>
        broken(
          service,
          (p) => (p.metadata.annotations = { note: "-----BEGIN RSA PRIVATE KEY-----\nMII" }),
        ),
      "Service metrics/metrics-writer-api has a credential in annotation 'note'. Keep it in a Secret.",
    ],
    [
      "a password inside a URL in plain env",
      T.deployment,
      () =>
        broken(
          deployment,
          (p) =>
            (p.spec.template.spec.containers[0].env[0].value =
              "mongodb://root:pw@db:27017/metrics"),
        ),
      "Deployment metrics/metrics-writer container 'metrics-writer' sets MONGO_URL in plain text. Take it from a Secret (valueFrom.secretKeyRef).",
    ],
    [
      "a literal password on the command line",
      T.deployment,
      () =>
        broken(
          deployment,
          (p) => (p.spec.template.spec.containers[1].args = ["--requirepass", "hunter2"]),
        ),
      "Deployment metrics/metrics-writer container 'redis' passes --requirepass on its command line in plain text. Take it from a Secret through an env var ($(VAR)).",
    ],
  ])("reports %s", async (_what, type, props, expected) => {
    expect(await check(credentialsInSecrets, type, props())).toEqual([expected]);
  });
  test("accepts a credential flag or URL that references an env var", async () => {
    const props = broken(deployment, (p) => {
      p.spec.template.spec.containers[1].args = ["--requirepass", "$(REDIS_PASSWORD)"];
      p.spec.template.spec.containers[0].command = ["app", "--token=${API_TOKEN}"];
      p.spec.template.spec.containers[0].env[0].value = "mongodb://root:$(DB_PASSWORD)@db:27017";
    });
    expect(await check(credentialsInSecrets, T.deployment, props)).toEqual([]);
  });
});
