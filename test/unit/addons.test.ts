/**
 * The add-ons under mocks: exactly which resources each registers with which inputs, the rules
 * every add-on workload follows (probes, limits, pinned images, datastores never on a NodePort),
 * the variants (Ceph, exposed executor redis, node directory, no registration), and the conflicts
 * refused at preview.
 */
import { parseStackConfig } from "../../components";
import { CLUSTER_IMAGE_KEYS } from "../../components/config";
import { minimalCluster, NETWORK, pinnedImages } from "../support/fixtures";
import { recordRegistrations, type Registration } from "../support/mocks";
import { runProgram as runProgram_ } from "../support/program-runner";
import { configProblems } from "../support/config-problems";

const registrations: Registration[] = recordRegistrations();
const runProgram = (config: Record<string, unknown>) => runProgram_(registrations, config);

const CLUSTER = minimalCluster("unit-cluster", [["node-1"]]);
const REGISTRIES = {
  ...NETWORK,
  parser_url: "http://mgmt.test:30501",
  cluster_controller_gateway_url: "http://mgmt.test:30600",
  containers_registry_url: "http://mgmt.test:30109",
  assets_registry_url: "http://mgmt.test:30104",
  inference_servers_registry_url: "http://mgmt.test:30105",
  split_runners_registry_url: "http://mgmt.test:30111",
  tasks_db_url: "http://mgmt.test:30108",
};
const ALL = {
  containerRegistry: {},
  assetsRegistry: {},
  inferenceServer: {},
  policyExecutor: {},
  modelSplitter: {},
};

/** The inputs of the registration named `name`. */
function inputs(name: string): Record<string, any> {
  const found = registrations.find((r) => r.name === name);
  if (found === undefined) {
    throw new Error(
      `no resource ${name}; registered: ${registrations.map((r) => r.name).join(", ")}`,
    );
  }
  return found.inputs;
}

/** The first container of a workload's pod template. */
const container = (name: string, index = 0) => inputs(name).spec.template.spec.containers[index];

/** A container's env as a name → value-or-secret-reference map. */
function envOf(c: { env: { name: string; value?: string; valueFrom?: any }[] }) {
  return Object.fromEntries(
    c.env.map((e) => [
      e.name,
      e.value ?? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`,
    ]),
  );
}

/** `name port->nodePort` of every Service port the add-ons declare. */
function servicePorts(): string[] {
  return registrations
    .filter((r) => r.type === "kubernetes:core/v1:Service" && r.name.startsWith("addons-"))
    .map((r) => r.inputs as Record<string, any>)
    .flatMap((svc) =>
      (svc.spec.ports as any[]).map(
        (p) =>
          `${svc.metadata.namespace}/${svc.metadata.name} ${p.name} ${p.port}${p.nodePort === undefined ? "" : `->${p.nodePort}`}${svc.spec.clusterIP === "None" ? " headless" : ""}`,
      ),
    )
    .sort();
}

describe("all five add-ons, registered with the network", () => {
  let outputs: Record<string, any>;
  beforeAll(async () => {
    outputs = await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:network": REGISTRIES,
      "aios-infra:registration": { enabled: true },
      "aios-infra:addons": ALL,
    });
  });

  test("registers exactly these resources", () => {
    expect(
      registrations
        .filter((r) => r.name.startsWith("addons"))
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
    ).toEqual([
      "aios-infra:addons:Addons addons",
      "aios-infra:addons:AssetsRegistry addons-assets-registry",
      "aios-infra:addons:ContainerRegistry addons-container-registry",
      "aios-infra:addons:InferenceServer addons-inference-server",
      "aios-infra:addons:ModelSplitter addons-model-splitter",
      "aios-infra:addons:PolicyExecutor addons-policy-executor",
      "aios-infra:cluster:Workload addons-assets-registry-db",
      "aios-infra:cluster:Workload addons-assets-registry-minio",
      "aios-infra:cluster:Workload addons-assets-registry-server",
      "aios-infra:cluster:Workload addons-container-registry-registry",
      "aios-infra:cluster:Workload addons-inference-server-db",
      "aios-infra:cluster:Workload addons-inference-server-redis",
      "aios-infra:cluster:Workload addons-inference-server-server",
      "aios-infra:cluster:Workload addons-model-splitter-runner",
      "aios-infra:cluster:Workload addons-policy-executor-executor",
      "kubernetes:apps/v1:Deployment addons-assets-registry-server-deployment",
      "kubernetes:apps/v1:Deployment addons-inference-server-redis-deployment",
      "kubernetes:apps/v1:Deployment addons-inference-server-server-deployment",
      "kubernetes:apps/v1:Deployment addons-model-splitter-runner-deployment",
      "kubernetes:apps/v1:Deployment addons-policy-executor-executor-deployment",
      "kubernetes:apps/v1:StatefulSet addons-assets-registry-db-statefulset",
      "kubernetes:apps/v1:StatefulSet addons-assets-registry-minio-statefulset",
      "kubernetes:apps/v1:StatefulSet addons-container-registry-registry-statefulset",
      "kubernetes:apps/v1:StatefulSet addons-inference-server-db-statefulset",
      "kubernetes:batch/v1:Job addons-assets-registry-bucket",
      "kubernetes:batch/v1:Job addons-assets-registry-db-init",
      "kubernetes:core/v1:Namespace addons-assets-registry-namespace-db",
      "kubernetes:core/v1:Namespace addons-assets-registry-namespace-storage",
      "kubernetes:core/v1:Namespace addons-container-registry-namespace",
      "kubernetes:core/v1:Namespace addons-inference-server-namespace",
      "kubernetes:core/v1:Namespace addons-model-splitter-namespace",
      "kubernetes:core/v1:Namespace addons-policy-executor-namespace",
      "kubernetes:core/v1:Namespace addons-policy-executor-namespace-jobs",
      "kubernetes:core/v1:Secret addons-assets-registry-db-secret",
      "kubernetes:core/v1:Secret addons-assets-registry-minio-secret",
      "kubernetes:core/v1:Secret addons-assets-registry-store-secret",
      "kubernetes:core/v1:Secret addons-container-registry-htpasswd",
      "kubernetes:core/v1:Secret addons-inference-server-db-secret",
      "kubernetes:core/v1:Service addons-assets-registry-db-svc-assets-db",
      "kubernetes:core/v1:Service addons-assets-registry-minio-svc-minio-service",
      "kubernetes:core/v1:Service addons-assets-registry-server-svc-assets-registry",
      "kubernetes:core/v1:Service addons-container-registry-registry-svc-registry-service",
      "kubernetes:core/v1:Service addons-inference-server-db-svc-timescaledb-primary",
      "kubernetes:core/v1:Service addons-inference-server-redis-svc-redis",
      "kubernetes:core/v1:Service addons-inference-server-server-svc-inference-server",
      "kubernetes:core/v1:Service addons-model-splitter-runner-svc-split-runner-service",
      "kubernetes:core/v1:Service addons-policy-executor-executor-svc-executor-public-unit-cluster",
      "kubernetes:core/v1:Service addons-policy-executor-executor-svc-executor-svc-unit-cluster",
      "kubernetes:core/v1:ServiceAccount addons-assets-registry-db-sa",
      "kubernetes:core/v1:ServiceAccount addons-assets-registry-minio-sa",
      "kubernetes:core/v1:ServiceAccount addons-assets-registry-server-sa",
      "kubernetes:core/v1:ServiceAccount addons-container-registry-registry-sa",
      "kubernetes:core/v1:ServiceAccount addons-inference-server-db-sa",
      "kubernetes:core/v1:ServiceAccount addons-inference-server-redis-sa",
      "kubernetes:core/v1:ServiceAccount addons-inference-server-server-sa",
      "kubernetes:core/v1:ServiceAccount addons-model-splitter-runner-sa",
      "kubernetes:core/v1:ServiceAccount addons-policy-executor-executor-sa",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy addons-assets-registry-db-networkpolicy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy addons-assets-registry-minio-networkpolicy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy addons-inference-server-db-networkpolicy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy addons-inference-server-redis-networkpolicy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy addons-policy-executor-executor-networkpolicy",
      "kubernetes:rbac.authorization.k8s.io/v1:Role addons-inference-server-discovery-role",
      "kubernetes:rbac.authorization.k8s.io/v1:Role addons-policy-executor-executor-role-policies",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding addons-inference-server-discovery-rolebinding",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding addons-policy-executor-executor-rolebinding-policies",
      "pulumi-nodejs:dynamic/aios-infra:AddonRegistration addons-assets-registry-registration",
      "pulumi-nodejs:dynamic/aios-infra:AddonRegistration addons-container-registry-registration",
      "pulumi-nodejs:dynamic/aios-infra:AddonRegistration addons-inference-server-registration",
      "pulumi-nodejs:dynamic/aios-infra:AddonRegistration addons-model-splitter-registration",
      "pulumi-nodejs:dynamic/aios-infra:AddonRegistration addons-policy-executor-registration",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-assets-registry-db-keyfile",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-assets-registry-db-password",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-assets-registry-minio-password",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-assets-registry-minio-user",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-container-registry-password",
      "pulumi-nodejs:dynamic/aios-infra:GeneratedSecret addons-inference-server-db-password",
    ]);
    expect(inputs("gateway-mapping-executor-unit-cluster")).toMatchObject({
      kind: "Mapping",
      metadata: { name: "aios-executor-unit-cluster", namespace: "ambassador" },
      spec: {
        prefix: "/executor/unit-cluster/",
        service: "executor-svc-unit-cluster.policies-system:10250",
      },
    });
  });

  test("every NodePort comes from the plan, upstream's code ports, and no datastore is on one", () => {
    expect(servicePorts()).toEqual([
      "assets-db/assets-db mongo 27017 headless",
      "assets-db/assets-registry http 4000->31700",
      "assets-storage/minio-service s3 9000",
      "inference-server/inference-server grpc 50052->31500",
      "inference-server/inference-server rest 20000->31501",
      "inference-server/redis redis 6379",
      "inference-server/timescaledb-primary postgres 5432",
      "policies-system/executor-public-unit-cluster rest 10250->30900",
      "policies-system/executor-svc-unit-cluster redis 6379",
      "policies-system/executor-svc-unit-cluster rest 10250",
      "registry/registry-service registry 5000->32633",
      "split-executor/split-runner-service http 5000->32286",
    ]);
    expect(outputs.nodePorts).toMatchObject({
      containerRegistry: 32633,
      assetsRegistry: 31700,
      inferenceGrpc: 31500,
      inferenceRest: 31501,
      policyExecutor: 30900,
      modelSplitter: 32286,
    });
    expect(outputs.nodePorts).not.toHaveProperty("policyExecutorRedis");
  });

  test("every add-on container has a readiness probe, requests and limits, and a pinned image", () => {
    const pods = registrations.filter(
      (r) =>
        r.name.startsWith("addons-") &&
        /(apps\/v1:(Deployment|StatefulSet)|batch\/v1:Job)$/.test(r.type),
    );
    expect(pods).toHaveLength(11);
    for (const pod of pods) {
      const spec = (pod.inputs as Record<string, any>).spec.template.spec;
      expect(spec.securityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect([pod.name, c.resources.limits.cpu, c.resources.limits.memory]).toEqual([
          pod.name,
          expect.stringMatching(/^\d+m$/),
          expect.stringMatching(/^\d+Mi$/),
        ]);
        expect([pod.name, c.image]).toEqual([pod.name, expect.stringMatching(/:[\w][\w.-]*$/)]);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false });
      }
      const longRunning = pod.type !== "kubernetes:batch/v1:Job";
      for (const c of spec.containers) {
        expect([pod.name, c.name, c.readinessProbe !== undefined]).toEqual([
          pod.name,
          c.name,
          longRunning,
        ]);
      }
    }
  });

  test("container registry: registry:2 on a claim, htpasswd from a generated secret", () => {
    expect(inputs("addons-container-registry-password")).toMatchObject({
      length: 32,
      htpasswdUser: "aios",
    });
    expect(inputs("addons-container-registry-htpasswd")).toMatchObject({
      metadata: { name: "registry-htpasswd", namespace: "registry" },
      type: "Opaque",
    });
    const sts = inputs("addons-container-registry-registry-statefulset").spec;
    expect(sts.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "10240M" } },
    });
    expect(sts.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: "Delete",
      whenScaled: "Retain",
    });
    expect(sts.template.spec.volumes).toEqual([
      { name: "auth", secret: { secretName: "registry-htpasswd" } },
    ]);
    expect(envOf(container("addons-container-registry-registry-statefulset"))).toEqual({
      REGISTRY_AUTH: "htpasswd",
      REGISTRY_AUTH_HTPASSWD_REALM: "AIOS registry unit-cluster",
      REGISTRY_AUTH_HTPASSWD_PATH: "/auth/htpasswd",
      REGISTRY_STORAGE_DELETE_ENABLED: "true",
    });
    const registration = inputs("addons-container-registry-registration");
    expect(registration.registry).toEqual({
      url: "http://mgmt.test:30109",
      collection: "container_registry",
    });
    expect(registration.probe).toEqual({
      url: "http://127.0.0.1:32633/v2/",
      accepts: "below-500",
      timeoutSeconds: 180,
    });
    expect(registration.entry).toMatchObject({
      container_registry_public_url: "http://127.0.0.1:32633",
      container_registry_image_prefix: "127.0.0.1:32633",
    });
  });

  test("assets registry: MinIO with generated keys, an authenticated replica set, the server wired to both", () => {
    expect(envOf(container("addons-assets-registry-minio-statefulset"))).toEqual({
      MINIO_ROOT_USER: "secret:minio-credentials/root-user",
      MINIO_ROOT_PASSWORD: "secret:minio-credentials/root-password",
    });
    expect(inputs("addons-assets-registry-minio-user")).toMatchObject({ length: 20 });
    const db = inputs("addons-assets-registry-db-statefulset").spec;
    expect(db.replicas).toBe(3);
    expect(db.serviceName).toBe("assets-db");
    expect(db.template.spec.containers[0].args).toEqual([
      "--replSet",
      "rs0",
      "--bind_ip_all",
      "--keyFile",
      "/keyfile/keyfile",
    ]);
    expect(envOf(db.template.spec.containers[0])).toEqual({
      MONGO_INITDB_ROOT_USERNAME: "secret:assets-db-credentials/username",
      MONGO_INITDB_ROOT_PASSWORD: "secret:assets-db-credentials/password",
    });
    expect(db.template.spec.initContainers[0].command[2]).toBe(
      "cp /keyfile-src/keyfile /keyfile/keyfile && chmod 400 /keyfile/keyfile && chown 999:999 /keyfile/keyfile",
    );
    expect(db.volumeClaimTemplates[0].spec.resources).toEqual({ requests: { storage: "1024M" } });
    // Only the members, the registry and the initiating Job reach the DB.
    expect(inputs("addons-assets-registry-db-networkpolicy").spec.ingress).toEqual([
      {
        ports: [{ port: "mongo", protocol: "TCP" }],
        from: [
          { podSelector: { matchLabels: { "app.kubernetes.io/name": "assets-db" } } },
          { podSelector: { matchLabels: { "app.kubernetes.io/name": "assets-registry" } } },
          { podSelector: { matchLabels: { "app.kubernetes.io/name": "assets-db-init" } } },
        ],
      },
    ]);
    const init = inputs("addons-assets-registry-db-init").spec;
    expect(init.backoffLimit).toBe(20);
    expect(envOf(init.template.spec.containers[0]).SCRIPT).toContain(
      'rs.initiate({"_id":"rs0","members":[{"_id":0,"host":"assets-db-0.assets-db.assets-db.svc.cluster.local:27017"},{"_id":1,"host":"assets-db-1.assets-db.assets-db.svc.cluster.local:27017"},{"_id":2,"host":"assets-db-2.assets-db.assets-db.svc.cluster.local:27017"}]})',
    );
    expect(envOf(container("addons-assets-registry-bucket"))).toEqual({
      S3_ENDPOINT_URL: "http://minio-service.assets-storage.svc.cluster.local:9000",
      S3_BUCKET_NAME: "aios-assets",
      MC_CONFIG_DIR: "/tmp/mc",
      AWS_ACCESS_KEY_ID: "secret:assets-object-store/access-key",
      AWS_SECRET_ACCESS_KEY: "secret:assets-object-store/secret-key",
    });
    expect(envOf(container("addons-assets-registry-server-deployment"))).toEqual({
      PUBLIC_URL: "http://127.0.0.1:31700",
      AWS_REGION: "us-east-1",
      S3_ENDPOINT_URL: "http://minio-service.assets-storage.svc.cluster.local:9000",
      S3_BUCKET_NAME: "aios-assets",
      MONGO_URL: "secret:assets-db-credentials/url",
      AWS_ACCESS_KEY_ID: "secret:assets-object-store/access-key",
      AWS_SECRET_ACCESS_KEY: "secret:assets-object-store/secret-key",
    });
    expect(container("addons-assets-registry-server-deployment").readinessProbe.httpGet).toEqual({
      path: "/health",
      port: "http",
    });
    expect(inputs("addons-assets-registry-registration").probe).toEqual({
      url: "http://127.0.0.1:31700/health",
      accepts: "2xx",
      timeoutSeconds: 180,
    });
  });

  test("inference server: upstream's namespace and ports, the env the server reads, a secret DB password", () => {
    const id = outputs.addons.inferenceServer.instanceId;
    expect(envOf(container("addons-inference-server-server-deployment"))).toEqual({
      ADHOC_INSTANCE_ID: id,
      CLUSTER_ID: "unit-cluster",
      DB_HOST: "timescaledb-primary.inference-server.svc.cluster.local",
      DB_PORT: "5432",
      DB_USER: "aios",
      DB_NAME: "inference",
      INFERENCE_REDIS_HOST: "redis.inference-server.svc.cluster.local",
      INFERENCE_REDIS_PORT: "6379",
      INCLUSTER_REDIS_HOST: "redis.inference-server.svc.cluster.local",
      IN_CLUSTER_REDIS_PORT: "6379",
      BLOCKS_URL: "http://mgmt.test:30100",
      BLOCKS_DB_URL: "http://mgmt.test:30100",
      DISCOVERY_MODE: "gateway",
      DB_PASSWORD: "secret:timescaledb-credentials/password",
    });
    expect(envOf(container("addons-inference-server-db-statefulset"))).toEqual({
      POSTGRES_DB: "inference",
      POSTGRES_USER: "aios",
      PGDATA: "/var/lib/postgresql/data/pgdata",
      TIMESCALEDB_TELEMETRY: "off",
      POSTGRES_PASSWORD: "secret:timescaledb-credentials/password",
    });
    // The cluster controller finds the server by listing this namespace's Services.
    expect(inputs("addons-inference-server-discovery-role").rules).toEqual([
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
    ]);
    expect(inputs("addons-inference-server-discovery-rolebinding")).toMatchObject({
      metadata: { name: "unit-cluster-controller-discovery", namespace: "inference-server" },
      roleRef: { kind: "Role", name: "unit-cluster-controller-discovery" },
      subjects: [
        { kind: "ServiceAccount", name: "unit-cluster-controller", namespace: "controllers" },
      ],
    });
    expect(inputs("addons-inference-server-registration").entry).toMatchObject({
      inference_server_id: id,
      inference_server_public_url: "http://127.0.0.1:31500",
    });
  });

  test("policy executor: RBAC only in 'policies', the redis closed to all but policy Jobs", () => {
    expect(inputs("addons-policy-executor-executor-role-policies")).toMatchObject({
      metadata: { name: "executor-unit-cluster", namespace: "policies" },
      rules: [
        {
          apiGroups: ["batch"],
          resources: ["jobs"],
          verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
        },
        { apiGroups: ["apps"], resources: ["deployments"], verbs: expect.any(Array) },
        {
          apiGroups: ["autoscaling"],
          resources: ["horizontalpodautoscalers"],
          verbs: expect.any(Array),
        },
        { apiGroups: [""], resources: ["services"], verbs: expect.any(Array) },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
      ],
    });
    expect(
      registrations.filter((r) => r.name.startsWith("addons-policy") && /ClusterRole/.test(r.type)),
    ).toEqual([]);
    const env = envOf(container("addons-policy-executor-executor-deployment"));
    expect(env).toMatchObject({
      EXECUTOR_ID: "unit-cluster",
      JOB_MANAGER_URL: "executor-svc-unit-cluster.policies-system.svc.cluster.local",
      POLICY_DB_URL: "http://mgmt.test:30102",
      MAX_PROCESSES: "4",
    });
    expect(JSON.parse(env.GLOBAL_SERVICES_MAP)).toEqual(NETWORK);
    expect(container("addons-policy-executor-executor-deployment", 1).args).toBeUndefined();
    expect(inputs("addons-policy-executor-executor-networkpolicy").spec.ingress).toEqual([
      { ports: [{ port: "rest", protocol: "TCP" }] },
      {
        ports: [{ port: "redis", protocol: "TCP" }],
        from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "policies" } } },
        ],
      },
    ]);
    expect(inputs("addons-policy-executor-registration").entry).toEqual({
      executor_id: "unit-cluster",
      executor_metadata: { cluster_id: "unit-cluster" },
      executor_hardware_info: {},
      executor_status: "healthy",
      cluster_public_ip: "127.0.0.1",
    });
  });

  test("model splitter: the runner's URLs from the network, registered without a kubeconfig", () => {
    expect(envOf(container("addons-model-splitter-runner-deployment"))).toEqual({
      BLOCK_DB_URL: "http://mgmt.test:30100",
      TASK_DB_STATUS_UPDATE_URL: "http://mgmt.test:30108",
    });
    const registration = inputs("addons-model-splitter-registration");
    expect(registration.registry).toEqual({
      url: "http://mgmt.test:30111",
      collection: "split-runner",
    });
    expect(registration.entry).not.toHaveProperty("cluster_k8s_config");
  });

  test("exports each add-on's addresses and entry ids", () => {
    expect(outputs.addons).toEqual({
      containerRegistry: {
        url: "http://127.0.0.1:32633",
        username: "aios",
        entryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
      assetsRegistry: {
        url: "http://127.0.0.1:31700",
        objectStore: "minio",
        bucket: "aios-assets",
        entryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
      inferenceServer: {
        grpcUrl: "http://127.0.0.1:31500",
        restUrl: "http://127.0.0.1:31501",
        instanceId: outputs.addons.inferenceServer.entryId,
        entryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
      policyExecutor: {
        executorId: "unit-cluster",
        url: "http://127.0.0.1:30900",
        entryId: "unit-cluster",
      },
      modelSplitter: {
        url: "http://127.0.0.1:32286",
        entryId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });
});

describe("variants", () => {
  test("Ceph: a Rook object store and a user beside the registry, no MinIO", async () => {
    await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:addons": {
        assetsRegistry: { objectStore: { type: "ceph" }, db: { replicas: 1 } },
      },
    });
    const names = registrations.filter((r) => r.name.startsWith("addons")).map((r) => r.name);
    expect(names.filter((n) => /minio|storage|registration/.test(n))).toEqual([]);
    expect(inputs("addons-assets-registry-ceph-store")).toMatchObject({
      apiVersion: "ceph.rook.io/v1",
      kind: "CephObjectStore",
      // Pulumi waits until Rook reports the store ready: the bucket Job needs it.
      metadata: {
        name: "aios-assets",
        namespace: "rook-ceph",
        annotations: { "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" },
      },
      spec: {
        metadataPool: { failureDomain: "host", replicated: { size: 3 } },
        preservePoolsOnDelete: false,
        allowUsersInNamespaces: ["assets-db"],
      },
    });
    expect(inputs("addons-assets-registry-ceph-user")).toMatchObject({
      kind: "CephObjectStoreUser",
      metadata: { name: "aios-assets", namespace: "assets-db" },
      spec: { store: "aios-assets", clusterNamespace: "rook-ceph" },
    });
    expect(envOf(container("addons-assets-registry-server-deployment"))).toMatchObject({
      S3_ENDPOINT_URL: "http://rook-ceph-rgw-aios-assets.rook-ceph.svc.cluster.local:80",
      AWS_ACCESS_KEY_ID: "secret:rook-ceph-object-user-aios-assets-aios-assets/AccessKey",
      AWS_SECRET_ACCESS_KEY: "secret:rook-ceph-object-user-aios-assets-aios-assets/SecretKey",
    });
    expect(inputs("addons-assets-registry-db-statefulset").spec.replicas).toBe(1);
  });

  test("an exposed executor redis requires a generated password and claims its NodePort", async () => {
    const outputs = await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:addons": { policyExecutor: { exposeRedis: true, executorId: "ex1" } },
    });
    expect(outputs.nodePorts).toMatchObject({ policyExecutor: 30900, policyExecutorRedis: 30901 });
    expect(container("addons-policy-executor-executor-deployment", 1).args).toEqual([
      "--requirepass",
      "$(REDIS_PASSWORD)",
    ]);
    expect(envOf(container("addons-policy-executor-executor-deployment", 1))).toEqual({
      REDIS_PASSWORD: "secret:executor-redis-ex1/password",
    });
    expect(servicePorts()).toEqual([
      "policies-system/executor-public-ex1 redis 6379->30901",
      "policies-system/executor-public-ex1 rest 10250->30900",
      "policies-system/executor-svc-ex1 redis 6379",
      "policies-system/executor-svc-ex1 rest 10250",
    ]);
  });

  test("a node directory for the container registry pins the pod to that node, no claim", async () => {
    await runProgram({
      "aios-infra:cluster": CLUSTER,
      "aios-infra:addons": {
        containerRegistry: { storage: { hostPath: "/mnt/registry", nodeName: "node-1" } },
      },
    });
    const spec = inputs("addons-container-registry-registry-deployment").spec.template.spec;
    expect(spec.nodeSelector).toEqual({ "kubernetes.io/hostname": "node-1" });
    expect(spec.volumes).toContainEqual({
      name: "data",
      hostPath: { path: "/mnt/registry", type: "DirectoryOrCreate" },
    });
  });

  test("without registration nothing is registered; without add-ons nothing is declared", async () => {
    await runProgram({ "aios-infra:cluster": CLUSTER, "aios-infra:addons": ALL });
    expect(registrations.filter((r) => /AddonRegistration/.test(r.type))).toEqual([]);
    const outputs = await runProgram({ "aios-infra:cluster": CLUSTER });
    expect(registrations.filter((r) => r.name.startsWith("addons"))).toEqual([]);
    expect(outputs.addons).toEqual({});
  });
});

/** The problem lines of the error thrown for `addons` (and extra config). */
const problems = (addons: unknown, extra: Record<string, unknown> = {}): string[] =>
  configProblems(() => parseStackConfig({ network: NETWORK, cluster: CLUSTER, addons, ...extra }));

describe("conflicts are refused at preview", () => {
  test("a NodePort override that collides with another claim, or leaves the range", () => {
    expect(
      problems(
        { containerRegistry: {}, modelSplitter: {} },
        { nodePorts: { containerRegistry: 32300, modelSplitter: 40000 } },
      ),
    ).toEqual([
      "aios-infra:nodePorts.containerRegistry: NodePort 32300 is already claimed by controllerInfra; choose a free port for one of them (received 32300)",
      "aios-infra:nodePorts.modelSplitter: must be inside the cluster's NodePort range 30000-32767 (received 40000)",
    ]);
  });

  test("registration without the add-on's registry URL; an executor without the gateway", () => {
    expect(
      problems(ALL, {
        network: {
          ...NETWORK,
          parser_url: "http://p:1",
          cluster_controller_gateway_url: "http://g:1",
        },
        registration: { enabled: true },
        gateway: { enabled: false },
      }),
    ).toEqual([
      "aios-infra:network.containers_registry_url: is required to register the containerRegistry add-on (aios-infra:registration.enabled is true) (received nothing)",
      "aios-infra:network.assets_registry_url: is required to register the assetsRegistry add-on (aios-infra:registration.enabled is true) (received nothing)",
      "aios-infra:network.inference_servers_registry_url: is required to register the inferenceServer add-on (aios-infra:registration.enabled is true) (received nothing)",
      "aios-infra:network.split_runners_registry_url: is required to register the modelSplitter add-on (aios-infra:registration.enabled is true) (received nothing)",
      "aios-infra:addons.policyExecutor: needs the gateway (its route /executor/<id> is an Ambassador Mapping); set aios-infra:gateway.enabled to true (received an executor with the gateway disabled)",
    ]);
  });

  test("a registered executor keeps upstream's NodePort; an add-on may opt out of registration", () => {
    const network = {
      ...NETWORK,
      parser_url: "http://p:1",
      cluster_controller_gateway_url: "http://g:1",
    };
    expect(
      problems(
        { policyExecutor: {}, modelSplitter: { register: false } },
        { network, registration: { enabled: true }, nodePorts: { policyExecutor: 31900 } },
      ),
    ).toEqual([
      "aios-infra:nodePorts.policyExecutor: must stay 30900 while the executor is registered: the policy system records every executor at http://<cluster_public_ip>:30900 (received 31900)",
    ]);
    expect(() =>
      parseStackConfig({
        network,
        cluster: CLUSTER,
        registration: { enabled: true },
        nodePorts: { policyExecutor: 31900 },
        addons: { policyExecutor: { register: false }, modelSplitter: { register: false } },
      }),
    ).not.toThrow();
  });

  test("malformed settings name the field, the value and what is allowed", () => {
    expect(
      problems({
        containerRegistry: { storage: { hostPath: "/mnt/r" } },
        assetsRegistry: { db: { replicas: 2 }, objectStore: { type: "s3" } },
        inferenceServer: { db: { user: "Bad User" } },
        modelSplitter: { colour: "blue" },
      }),
    ).toEqual([
      'aios-infra:addons.containerRegistry.storage: hostPath needs nodeName (the node that keeps the data), and nodeName needs hostPath (received {"sizeMB":10240,"hostPath":"/mnt/r"})',
      `aios-infra:addons.assetsRegistry.objectStore.type: Invalid discriminator value. Expected 'minio' | 'ceph' (received {"type":"s3"})`,
      "aios-infra:addons.assetsRegistry.db.replicas: must be odd (1, 3, 5 or 7) so elections have a majority (received 2)",
      'aios-infra:addons.inferenceServer.db.user: must be a PostgreSQL role name (received "Bad User")',
      'aios-infra:addons.modelSplitter.colour: is not a known setting; remove it or check its spelling (received "blue")',
    ]);
  });

  test("outside dev every add-on image must be named and pinned", () => {
    const images = pinnedImages(
      CLUSTER_IMAGE_KEYS.filter((k) => k !== "mongo" && k !== "redis"),
      "1.0.0",
    );
    expect(
      problems(
        { inferenceServer: {}, modelSplitter: {} },
        {
          environment: "production",
          images: { ...images, splitRunner: "aiosv1/split-executor:latest" },
        },
      ),
    ).toEqual([
      "aios-infra:images.inferenceServer: is required in production: a pinned image from your registry (upstream's :latest images are defaults in dev only) (received nothing)",
      "aios-infra:images.splitRunner: must be pinned to a version tag or a digest in production ('latest' and untagged images change under a running cluster) (received \"aiosv1/split-executor:latest\")",
    ]);
  });
});
