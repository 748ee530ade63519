/**
 * The model splitter add-on (aios-spec §3.5): the split runner in `split-executor` on NodePort
 * 32286 (upstream's code; the docs also say 31701), with its URLs taken from the network instead
 * of short management-cluster names a worker cannot resolve. Upstream's registry deploys the
 * runner itself from a kubeconfig in the request (and fails: it calls an undefined function);
 * here the stack deploys it and registers its public address only — no kubeconfig is sent.
 */
import type { WorkloadArgs } from "../cluster/workload";
import { buildContainer } from "../k8s/workload-specs";
import {
  ADDON_NAMESPACES,
  ADDON_PORTS,
  image,
  planned,
  publicUrl,
  type AddonSpecContext,
} from "./addon-endpoints";
import { entryName } from "./addon-entry";
import type { ModelSplitterSettings } from "./addon-settings";

/** Object names of the split runner. */
export const SPLITTER = { name: "split-runner", service: "split-runner-service" } as const;

/** `split-executor/split-runner` and its NodePort Service. */
export function splitRunnerWorkload(ctx: AddonSpecContext): WorkloadArgs {
  const n = ctx.network;
  return {
    clusterId: ctx.clusterId,
    namespace: ADDON_NAMESPACES.modelSplitter,
    name: SPLITTER.name,
    component: "model-splitter",
    kind: "Deployment",
    containers: [
      buildContainer({
        name: "split-runner",
        image: image(ctx, "splitRunner"),
        ports: [{ name: "http", containerPort: ADDON_PORTS.splitRunner }],
        readiness: { port: "http", tcp: true },
        resources: { cpuMillicores: 250, memoryMiB: 1024, memoryLimitMiB: 4096 },
        env: {
          BLOCK_DB_URL: n.blocks_db_url,
          ...(n.tasks_db_url === undefined ? {} : { TASK_DB_STATUS_UPDATE_URL: n.tasks_db_url }),
          ...(n.layers_registry_url === undefined
            ? {}
            : { MODEL_LAYERS_REGISTRY_URL: n.layers_registry_url }),
        },
      }),
    ],
    services: [
      {
        name: SPLITTER.service,
        ports: [
          { name: "http", port: ADDON_PORTS.splitRunner, nodePort: planned(ctx, "modelSplitter") },
        ],
      },
    ],
  };
}

/** The entry posted to `/split-runner`. */
export function splitRunnerEntry(
  ctx: AddonSpecContext,
  s: ModelSplitterSettings,
  id: string,
): Record<string, unknown> {
  return {
    split_runner_id: id,
    split_runner_name: entryName(ctx.clusterId, s.name, "model-splitter"),
    split_runner_public_host: ctx.publicHostname,
    split_runner_public_url: publicUrl(ctx, "modelSplitter"),
    split_runner_metadata: { ...s.metadata, cluster_id: ctx.clusterId },
    split_runner_tags: s.tags,
  };
}
