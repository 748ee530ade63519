/**
 * A third-party block: its system (a Helm release, an external URL, or none), the URLs it exposes,
 * and its init container's lifecycle with a ServiceAccount limited to the block's namespace. The
 * init container depends on the release, so destroy runs its delete mode before the release goes.
 */
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Placement } from "../interlink/virtual-node-specs";
import { chartReference, helmChartArgs } from "../k8s/chart-source";
import { recommendedLabels } from "../k8s/labels";
import { InitContainer } from "./lifecycle/init-container";
import type { NetworkEndpoints } from "../config/network-endpoints";
import type { BlockSettings } from "./block-settings";
import { SDK_ENDPOINT_FILES } from "./lifecycle/init-container-contract";
import { sdkEndpointScript } from "./lifecycle/sdk-endpoint-script";
import {
  blockDocument,
  INIT_CONTAINER_RULES,
  initServiceAccountName,
  lifecycleSpec,
  releaseName,
  serviceUrl,
} from "./block-specs";

/** Arguments of {@link ThirdPartyBlock}. */
export interface ThirdPartyBlockArgs {
  /** The block, as parsed from `aios-infra:blocks`. */
  readonly block: BlockSettings;
  /** The AIOS cluster id. */
  readonly clusterId: string;
  /** The AIOS network's endpoints (the init container's BLOCK_SERVICE_URL, CLUSTER_SERVICE_URL). */
  readonly network: NetworkEndpoints;
  /** Directory local chart paths are relative to. */
  readonly projectDir: string;
  /** Run the release's pods on an interLink virtual node. @default - in the cluster */
  readonly placement?: Placement;
  /**
   * Whether the cluster is registered with the network: the SDK endpoint then asks the network's
   * blocks DB and cluster registry first, and the block is kept in the blocks DB. @default false
   */
  readonly registered?: boolean;
  /** The SDK endpoint's image (`aios-infra:images.sdkEndpoint`). @default - no SDK endpoint */
  readonly sdkEndpointImage?: string;
  /** The cluster's registry document, served to the SDK as `GET /clusters/<id>`. @default - `{id}` */
  readonly clusterDocument?: Readonly<Record<string, unknown>>;
}

/** One third-party block. */
export class ThirdPartyBlock extends pulumi.ComponentResource {
  /** URLs the block exposes: from its release's Services or external URLs, then finish() output. */
  public readonly urls: pulumi.Output<Record<string, string>>;
  /** The init container's status (`finish`), or `none` without one. */
  public readonly initStatus: pulumi.Output<string>;

  constructor(name: string, args: ThirdPartyBlockArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:blocks:ThirdPartyBlock", name, {}, opts);
    const { block, clusterId } = args;
    const labels = recommendedLabels({
      name: block.name,
      component: "third-party-block",
      clusterId,
      instance: block.id,
    });
    const child = { parent: this };

    let systemUrls: pulumi.Output<Record<string, string>> = pulumi.output<Record<string, string>>(
      {},
    );
    // What the init container waits for: the release, or the external system's create command.
    let release: pulumi.Resource | undefined;
    const system = block.system;
    if (system.kind === "helm") {
      const ref = chartReference(system.chart, args.projectDir);
      const r = new k8s.helm.v3.Release(
        `${name}-release`,
        {
          name: releaseName(block),
          namespace: block.namespace,
          ...helmChartArgs(ref),
          // An offloaded block's chart gets the virtual node's nodeSelector and tolerations.
          values:
            args.placement === undefined ? system.values : { ...system.values, ...args.placement },
          timeout: system.timeoutSeconds,
          cleanupOnFail: true,
        },
        child,
      );
      release = r;
      const entries = Object.entries(system.urls).map(([key, u]) => {
        const serviceName = u.service ?? releaseName(block);
        const svc = k8s.core.v1.Service.get(
          `${name}-svc-${key}`,
          pulumi.interpolate`${r.status.namespace}/${serviceName}`,
          { parent: this, dependsOn: [r] },
        );
        return svc.spec.ports.apply((ports) => [
          key,
          serviceUrl({
            service: serviceName,
            namespace: block.namespace,
            port: u.port,
            scheme: u.scheme,
            path: u.path,
            ports: ports.map((p) => ({ name: p.name, port: p.port })),
          }),
        ]);
      });
      systemUrls = pulumi
        .all(entries)
        .apply((pairs) => Object.fromEntries(pairs) as Record<string, string>);
    } else if (system.kind === "external") {
      systemUrls = pulumi.output({ ...system.urls });
      if (system.commands !== undefined) {
        const c = system.commands;
        release = new command.local.Command(
          `${name}-commands`,
          {
            create: c.create,
            ...(c.delete === undefined ? {} : { delete: c.delete }),
            environment: { ...c.environment, BLOCK_ID: block.id, CLUSTER_ID: clusterId },
            ...(c.dir === undefined ? {} : { dir: c.dir }),
            // A changed command recreates the system: delete with the old one, then create.
            triggers: [c.create, c.delete ?? ""],
          },
          { parent: this, deleteBeforeReplace: true },
        );
      }
    }

    let initStatus: pulumi.Output<string> = pulumi.output("none");
    let initUrls: pulumi.Output<Record<string, string>> = pulumi.output<Record<string, string>>({});
    if (block.initContainer !== undefined) {
      const init = block.initContainer;
      const saName = initServiceAccountName(block.id);
      const meta = { name: saName, namespace: block.namespace, labels };
      const sa = new k8s.core.v1.ServiceAccount(`${name}-init-sa`, { metadata: meta }, child);
      const role = new k8s.rbac.v1.Role(
        `${name}-init-role`,
        { metadata: meta, rules: [...INIT_CONTAINER_RULES] },
        child,
      );
      const binding = new k8s.rbac.v1.RoleBinding(
        `${name}-init-rolebinding`,
        {
          metadata: meta,
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: saName },
          subjects: [{ kind: "ServiceAccount", name: saName, namespace: block.namespace }],
        },
        { parent: this, dependsOn: [sa, role] },
      );
      const registered = args.registered ?? false;
      const spec = lifecycleSpec({
        block,
        init,
        clusterId,
        network: args.network,
        labels,
        proxyNetwork: registered,
        ...(args.sdkEndpointImage === undefined ? {} : { sdkEndpointImage: args.sdkEndpointImage }),
      });
      const document = blockDocument({
        block,
        init,
        clusterId,
        cluster: args.clusterDocument ?? { id: clusterId },
      });
      // The SDK endpoint's script and the documents it serves (updated in place on change).
      const endpointFiles =
        spec.sdkEndpoint === undefined
          ? undefined
          : new k8s.core.v1.ConfigMap(
              `${name}-init-sdk`,
              {
                metadata: { ...meta, name: spec.sdkEndpoint.configMap },
                data: {
                  [SDK_ENDPOINT_FILES.script]: sdkEndpointScript(),
                  [SDK_ENDPOINT_FILES.block]: JSON.stringify(document, null, 2),
                  [SDK_ENDPOINT_FILES.cluster]: JSON.stringify(
                    { ...(args.clusterDocument ?? {}), id: clusterId },
                    null,
                    2,
                  ),
                },
              },
              child,
            );
      const lifecycle = new InitContainer(
        `${name}-init`,
        {
          ...spec,
          skipDelete: init.skipDelete,
          ...((init.writeToRegistry ?? registered)
            ? { blocksDb: { url: args.network.blocks_db_url, document } }
            : {}),
        },
        // Delete mode runs while the release, the init container's access and its endpoint exist.
        {
          parent: this,
          dependsOn: [
            sa,
            role,
            binding,
            ...(endpointFiles === undefined ? [] : [endpointFiles]),
            ...(release === undefined ? [] : [release]),
          ],
        },
      );
      initStatus = lifecycle.status;
      initUrls = lifecycle.result.apply((result) =>
        Object.fromEntries(
          Object.entries(result ?? {}).filter(
            (e): e is [string, string] => typeof e[1] === "string",
          ),
        ),
      );
    }
    this.urls = pulumi
      .all([systemUrls, initUrls])
      .apply(([fromSystem, fromInit]) => ({ ...fromSystem, ...fromInit }));
    this.initStatus = initStatus;
    this.registerOutputs({ urls: this.urls, initStatus: this.initStatus });
  }
}
