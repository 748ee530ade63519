/**
 * The model splitter add-on: namespace `split-executor`, the split runner from
 * model-splitter-specs.ts, and its registration with the split-runner registry.
 */
import * as pulumi from "@pulumi/pulumi";
import { AddonRegistration } from "../aios-api/addon-registration";
import { Workload } from "../cluster/workload";
import {
  ADDON_NAMESPACES,
  answersProbe,
  publicUrl,
  type AddonSpecContext,
} from "./addon-endpoints";
import { addonEntryId } from "./addon-entry";
import { addonNamespace } from "./addon-resources";
import type { ModelSplitterSettings } from "./addon-settings";
import { splitRunnerEntry, splitRunnerWorkload } from "./model-splitter-specs";

/** Arguments of {@link ModelSplitter}. */
export interface ModelSplitterArgs {
  readonly context: AddonSpecContext;
  readonly settings: ModelSplitterSettings;
  /** The split-runner registry to register with. @default - not registered */
  readonly registryUrl?: string;
}

/** A model split runner. */
export class ModelSplitter extends pulumi.ComponentResource {
  /** The runner's public URL. */
  public readonly url: pulumi.Output<string>;
  /** The registry entry's id, or undefined when not registered. */
  public readonly entryId: pulumi.Output<string | undefined>;

  constructor(name: string, args: ModelSplitterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:ModelSplitter", name, {}, opts);
    const { context: ctx, settings } = args;
    const ns = addonNamespace(
      this,
      `${name}-namespace`,
      ADDON_NAMESPACES.modelSplitter,
      ctx.clusterId,
    );
    const runner = new Workload(`${name}-runner`, splitRunnerWorkload(ctx), {
      parent: this,
      dependsOn: [ns],
    });
    const id = addonEntryId(ctx.clusterId, "modelSplitter");
    const registration =
      args.registryUrl === undefined
        ? undefined
        : new AddonRegistration(
            `${name}-registration`,
            {
              registry: { url: args.registryUrl, collection: "split-runner" },
              entryId: id,
              entry: splitRunnerEntry(ctx, settings, id),
              probe: answersProbe(ctx, "modelSplitter", settings.probeTimeoutSeconds),
            },
            { parent: this, dependsOn: [runner] },
          );
    this.url = pulumi.output(publicUrl(ctx, "modelSplitter"));
    this.entryId = registration?.entryId ?? pulumi.output(undefined);
    this.registerOutputs({ url: this.url, entryId: this.entryId });
  }
}
