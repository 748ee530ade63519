/**
 * A block's init-container lifecycle as a Pulumi resource: create runs the image in `create`
 * mode, delete in `delete` mode, and a change of image, env or any other mode-relevant input runs
 * delete on the old inputs, then create on the new ones (delete-before-replace: both would manage
 * the same system). See init-container-provider.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StageStatus } from "./init-container-contract";
import {
  initContainerProvider,
  PROVIDER_VERSION,
  type InitContainerInputs,
} from "./init-container-provider";

/** Arguments of {@link InitContainer}: the lifecycle spec (see {@link InitContainerInputs}). */
export type InitContainerArgs = {
  readonly [K in keyof Omit<InitContainerInputs, "providerVersion">]: pulumi.Input<
    InitContainerInputs[K]
  >;
};

/** One block's init-container lifecycle. */
export class InitContainer extends pulumi.dynamic.Resource {
  /** `finish` when the create lifecycle succeeded. */
  declare public readonly status: pulumi.Output<string>;
  /** The last stage reached. */
  declare public readonly stage: pulumi.Output<string>;
  /** Each stage's status and message, as the container reported them. */
  declare public readonly stages: pulumi.Output<StageStatus[]>;
  /** `finish()` output (`server_url`, `metrics_url`, …). */
  declare public readonly result: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: InitContainerArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      initContainerProvider,
      name,
      {
        ...args,
        providerVersion: PROVIDER_VERSION,
        status: undefined,
        stage: undefined,
        stages: undefined,
        result: undefined,
      },
      { ...opts, deleteBeforeReplace: true },
      "aios-infra",
      "InitContainer",
    );
  }
}
