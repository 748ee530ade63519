/**
 * Delegated cluster infrastructure: instead of declaring the cluster services, ask the network's
 * gateway to create them (`create-cluster-infra`) and wait for its task, and to remove them on
 * destroy (`remove-cluster-infra`). The kubeconfig it needs reaches the provider through
 * `configure` (the stack's secret `aios-infra:kubeconfig`) or $KUBECONFIG — never as an input, so
 * it is in no state, log or error — and is sent as the JSON object the gateway requires.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../config/config-namespace";
import { startClusterInfra, waitForTask, type AiosEndpoints } from "./client";

/** Bumped when the provider's behaviour or state shape changes. */
export const DELEGATED_INFRA_PROVIDER_VERSION = "1";

interface DelegatedInfraInputs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: string;
  /** Seconds to wait for the gateway's task. */
  readonly timeoutSeconds: number;
  readonly providerVersion: string;
}

/** The kubeconfig as a JSON object: from stack config, else the file $KUBECONFIG names. */
function kubeconfigObject(fromConfig: string | undefined): Record<string, unknown> {
  // Required here: the provider runs in its own process (see init-container-provider.ts).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require("node:fs") as typeof import("node:fs");
  const YAML = require("yaml") as typeof import("yaml");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const text =
    fromConfig !== undefined && fromConfig !== ""
      ? fromConfig
      : fs.readFileSync(process.env.KUBECONFIG ?? `${process.env.HOME ?? ""}/.kube/config`, "utf8");
  const parsed = YAML.parse(text) as unknown;
  if (typeof parsed !== "object" || parsed === null) {
    throw new Error("the kubeconfig is not a YAML mapping");
  }
  return parsed as Record<string, unknown>;
}

export const delegatedInfraProvider: pulumi.dynamic.ResourceProvider & { kubeconfig?: string } = {
  configure(req: pulumi.dynamic.ConfigureRequest) {
    this.kubeconfig = req.config.get(`${CONFIG_NAMESPACE}:kubeconfig`);
    return Promise.resolve();
  },
  async create(inputs: DelegatedInfraInputs) {
    const taskId = await startClusterInfra(
      inputs.endpoints,
      "create",
      inputs.clusterId,
      kubeconfigObject(this.kubeconfig),
    );
    try {
      await waitForTask(inputs.endpoints, taskId, inputs.timeoutSeconds * 1000);
    } catch (e) {
      // The gateway may have created part of it: tracked, so destroy asks it to remove.
      const message = `cluster ${inputs.clusterId}: create-cluster-infra did not complete: ${(e as Error).message}`;
      throw Object.assign(new Error(message), {
        id: inputs.clusterId,
        properties: inputs,
        reasons: [message],
      });
    }
    return { id: inputs.clusterId, outs: inputs };
  },
  diff(_id: string, olds: DelegatedInfraInputs, news: DelegatedInfraInputs) {
    return Promise.resolve({
      changes: JSON.stringify(olds) !== JSON.stringify(news),
      replaces: olds.clusterId === news.clusterId ? [] : ["clusterId"],
      deleteBeforeReplace: true,
    });
  },
  update(_id: string, _olds: DelegatedInfraInputs, news: DelegatedInfraInputs) {
    // Endpoints or the timeout changed: nothing to redo on the cluster.
    return Promise.resolve({ outs: news });
  },
  async delete(_id: string, props: DelegatedInfraInputs) {
    const taskId = await startClusterInfra(props.endpoints, "remove", props.clusterId, undefined);
    await waitForTask(props.endpoints, taskId, props.timeoutSeconds * 1000);
  },
};

/** Arguments of {@link DelegatedClusterInfra}. */
export interface DelegatedClusterInfraArgs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: string;
  /** Seconds to wait for the gateway's task. @default 900 */
  readonly timeoutSeconds?: number;
}

/** The cluster services, created and removed by the network's gateway. */
export class DelegatedClusterInfra extends pulumi.dynamic.Resource {
  constructor(name: string, args: DelegatedClusterInfraArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      delegatedInfraProvider,
      name,
      {
        endpoints: args.endpoints,
        clusterId: args.clusterId,
        timeoutSeconds: args.timeoutSeconds ?? 900,
        providerVersion: DELEGATED_INFRA_PROVIDER_VERSION,
      },
      opts,
      "aios-infra",
      "DelegatedClusterInfra",
    );
  }
}
