/**
 * Names, container ports and in-cluster addresses of the AIOS cluster services, defined once.
 * AIOS code addresses these by fixed name (`metrics-writer-svc.metrics.svc.cluster.local:5000`),
 * so they are upstream's names and ports (aios-spec §1.5.2, §1.5.7).
 */

/** Container ports, by the port name the containers, probes and Services use. */
export const CONTAINER_PORTS = {
  mongo: 27017,
  redis: 6379,
  metricsApi: 5000,
  collector: 9999,
  infra: 4000,
  blockTransactions: 7500,
  parameterUpdater: 10000,
  monitor: 8500,
  /** The stability checker listens on 5000, though upstream declares 5555 (aios-spec §1.5.4). */
  health: 5000,
  membership: 8080,
  grpc: 9000,
} as const;

/** Service ports that differ from their container ports. */
export const SERVICE_PORTS = {
  /** The controller Service's health port, as upstream declares it (NodePort 32305). */
  health: 5555,
} as const;

/** Namespaces of the cluster services. */
export const SERVICE_NAMESPACES = { metrics: "metrics", controllers: "controllers" } as const;

/** Service and workload names upstream's code resolves. */
export const SERVICE_NAMES = {
  metricsDb: "cluster-metrics-svc",
  metricsWriter: "metrics-writer-svc",
  membership: "membership-server-svc",
  grpcProxy: "grpc-proxy",
} as const;

/** The `<clusterId>-controller` workload. */
export function controllerName(clusterId: string): string {
  return `${clusterId}-controller`;
}

/** The `<clusterId>-controller-svc` Service. */
export function controllerServiceName(clusterId: string): string {
  return `${controllerName(clusterId)}-svc`;
}

/** The cluster-local DNS name of a Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The metrics-writer's in-cluster host (its API and its redis). */
export const METRICS_WRITER_HOST = serviceHost(
  SERVICE_NAMES.metricsWriter,
  SERVICE_NAMESPACES.metrics,
);

/** The metrics-writer API's in-cluster URL. */
export const METRICS_SERVICE_URL = `http://${METRICS_WRITER_HOST}:${CONTAINER_PORTS.metricsApi}`;

/** The metrics Mongo's in-cluster URL (database `metrics`). */
export const METRICS_MONGO_URL = `mongodb://${serviceHost(SERVICE_NAMES.metricsDb, SERVICE_NAMESPACES.metrics)}:${CONTAINER_PORTS.mongo}/metrics`;
