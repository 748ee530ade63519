/**
 * The switched-on add-ons of a cluster (`aios-infra:addons`), each its own component, registered
 * with the AIOS network when the stack registers. Their outputs are the stack's `addons` output.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NetworkEndpoints } from "../config/network-endpoints";
import type { AddonSpecContext } from "./addon-endpoints";
import { ADDON_REGISTRIES } from "./addon-plan";
import type { AddonKey, AddonsSettings } from "./addon-settings";
import { AssetsRegistry } from "./assets-registry";
import { ContainerRegistry } from "./container-registry";
import { InferenceServer } from "./inference-server";
import { ModelSplitter } from "./model-splitter";
import { PolicyExecutor } from "./policy-executor";

/** Arguments of {@link Addons}. */
export interface AddonsArgs {
  readonly context: AddonSpecContext;
  readonly settings: AddonsSettings;
  /** Register each add-on with its AIOS registry. @default false */
  readonly register?: boolean;
  /** The gateway (the policy executor's route). @default - none */
  readonly gateway?: pulumi.Resource;
}

/** The cluster's add-on services. */
export class Addons extends pulumi.ComponentResource {
  /** What each switched-on add-on exposes, by add-on (passwords are secrets). */
  public readonly outputs: pulumi.Output<Record<string, Record<string, unknown>>>;

  constructor(name: string, args: AddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:Addons", name, {}, opts);
    const { context: ctx, settings: s } = args;
    const child = { parent: this };
    const registryUrl = (key: AddonKey): string | undefined =>
      args.register === true && s[key]?.register === true
        ? (ctx.network as Readonly<Record<keyof NetworkEndpoints, string | undefined>>)[
            ADDON_REGISTRIES[key]
          ]
        : undefined;
    const out: Record<string, pulumi.Output<Record<string, unknown>>> = {};
    if (s.containerRegistry !== undefined) {
      const c = new ContainerRegistry(
        `${name}-container-registry`,
        {
          context: ctx,
          settings: s.containerRegistry,
          registryUrl: registryUrl("containerRegistry"),
        },
        child,
      );
      out.containerRegistry = pulumi
        .all({ url: c.url, username: c.username, password: c.password, entryId: c.entryId })
        .apply((v) => ({ ...v }));
    }
    if (s.assetsRegistry !== undefined) {
      const a = new AssetsRegistry(
        `${name}-assets-registry`,
        { context: ctx, settings: s.assetsRegistry, registryUrl: registryUrl("assetsRegistry") },
        child,
      );
      out.assetsRegistry = pulumi
        .all({ url: a.url, objectStore: a.objectStore, bucket: a.bucket, entryId: a.entryId })
        .apply((v) => ({ ...v }));
    }
    if (s.inferenceServer !== undefined) {
      const i = new InferenceServer(
        `${name}-inference-server`,
        { context: ctx, settings: s.inferenceServer, registryUrl: registryUrl("inferenceServer") },
        child,
      );
      out.inferenceServer = pulumi
        .all({
          grpcUrl: i.grpcUrl,
          restUrl: i.restUrl,
          instanceId: i.instanceId,
          entryId: i.entryId,
        })
        .apply((v) => ({ ...v }));
    }
    if (s.policyExecutor !== undefined) {
      const p = new PolicyExecutor(
        `${name}-policy-executor`,
        {
          context: ctx,
          settings: s.policyExecutor,
          registryUrl: registryUrl("policyExecutor"),
          gateway: args.gateway,
        },
        child,
      );
      out.policyExecutor = pulumi
        .all({
          executorId: p.executorId,
          url: p.url,
          redisPassword: p.redisPassword,
          entryId: p.entryId,
        })
        .apply((v) => ({ ...v }));
    }
    if (s.modelSplitter !== undefined) {
      const m = new ModelSplitter(
        `${name}-model-splitter`,
        { context: ctx, settings: s.modelSplitter, registryUrl: registryUrl("modelSplitter") },
        child,
      );
      out.modelSplitter = pulumi.all({ url: m.url, entryId: m.entryId }).apply((v) => ({ ...v }));
    }
    this.outputs = pulumi.all(out);
    this.registerOutputs({ outputs: this.outputs });
  }
}
