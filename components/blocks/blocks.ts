/**
 * The blocks of a stack: the namespaces their systems live in (other than AIOS's own, which the
 * cluster stack owns) and one {@link ThirdPartyBlock} each. Used by cluster stacks and by
 * blocks-only stacks alike.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Placement } from "../interlink/virtual-node-specs";
import { AIOS_NAMESPACES, NAMESPACES_TYPE, namespaceMetadata } from "../cluster/namespaces";
import type { NetworkEndpoints } from "../config/network-endpoints";
import { DEFAULT_BLOCK_NAMESPACE, type BlockSettings } from "./block-settings";
import { ThirdPartyBlock } from "./third-party-block";

/** Arguments of {@link Blocks}. */
export interface BlocksArgs {
  readonly blocks: readonly BlockSettings[];
  /** The AIOS cluster id. */
  readonly clusterId: string;
  /** The AIOS network's endpoints. */
  readonly network: NetworkEndpoints;
  /** Directory local chart paths are relative to. */
  readonly projectDir: string;
  /**
   * Whether this stack owns the default block namespace (`third-party`): cluster stacks do, even
   * without blocks, so that blocks-only stacks deploying there never create or delete it.
   * @default false
   */
  readonly ownsDefaultNamespace?: boolean;
  /** Whether the cluster is registered with the network (see ThirdPartyBlockArgs). @default false */
  readonly registered?: boolean;
  /** The SDK endpoint's image (`aios-infra:images.sdkEndpoint`). @default - none */
  readonly sdkEndpointImage?: string;
  /** The cluster's registry document, for the SDK endpoints. @default - `{id}` */
  readonly clusterDocument?: Readonly<Record<string, unknown>>;
  /** Where offloaded blocks' pods go (interLink virtual nodes), by block id. @default {} */
  readonly placements?: Readonly<Record<string, Placement>>;
  /**
   * What the blocks wait for (the cluster's services, its namespaces); their namespaces do not,
   * so that they are created and deleted alongside the rest of the cluster. @default []
   */
  readonly after?: readonly pulumi.Resource[];
}

/** What a stack exports per block. */
export interface BlockOutputs {
  readonly urls: pulumi.Output<Record<string, string>>;
  readonly initStatus: pulumi.Output<string>;
}

/** The third-party blocks of a stack. */
export class Blocks extends pulumi.ComponentResource {
  /** Per block id: its URLs and init-container status. */
  public readonly byId: Readonly<Record<string, BlockOutputs>>;

  constructor(name: string, args: BlocksArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:blocks:Blocks", name, {}, opts);
    // Each namespace has one owner: AIOS's own belong to the cluster stack, and so does the default
    // block namespace; any other belongs to the stack whose blocks name it.
    const declared = args.blocks.map((b) => b.namespace);
    const namespaceNames = [
      ...new Set(
        args.ownsDefaultNamespace === true ? [DEFAULT_BLOCK_NAMESPACE, ...declared] : declared,
      ),
    ].filter(
      (ns) =>
        !(AIOS_NAMESPACES as readonly string[]).includes(ns) &&
        (args.ownsDefaultNamespace === true || ns !== DEFAULT_BLOCK_NAMESPACE),
    );
    // Direct children, two levels below the stack like the AIOS namespaces: the engine deletes in
    // layers by depth, so at destroy both finalize together instead of one ~5 s wait after the
    // other. They used to sit in a `${name}-namespaces` component; the alias keeps their identity.
    const formerParent = pulumi.createUrn(`${name}-namespaces`, NAMESPACES_TYPE, this);
    const namespaces = namespaceNames.map(
      (ns) =>
        new k8s.core.v1.Namespace(
          `${name}-namespaces-${ns}`,
          { metadata: namespaceMetadata(ns, args.clusterId) },
          { parent: this, aliases: [{ parent: formerParent }] },
        ),
    );
    const byId: Record<string, BlockOutputs> = {};
    for (const block of args.blocks) {
      const b = new ThirdPartyBlock(
        `${name}-${block.id}`,
        {
          block,
          clusterId: args.clusterId,
          network: args.network,
          projectDir: args.projectDir,
          registered: args.registered ?? false,
          ...(args.sdkEndpointImage === undefined
            ? {}
            : { sdkEndpointImage: args.sdkEndpointImage }),
          ...(args.clusterDocument === undefined ? {} : { clusterDocument: args.clusterDocument }),
          ...(args.placements?.[block.id] === undefined
            ? {}
            : { placement: args.placements[block.id] }),
        },
        { parent: this, dependsOn: [...namespaces, ...(args.after ?? [])] },
      );
      byId[block.id] = { urls: b.urls, initStatus: b.initStatus };
    }
    this.byId = byId;
    this.registerOutputs({ byId });
  }
}
