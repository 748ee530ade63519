/**
 * The policy executor add-on: namespaces `policies-system` and `policies`, the executor from
 * policy-executor-specs.ts (its redis password generated when the redis is exposed), and its
 * registration with the policy system. Its gateway route is declared by the Gateway, which owns
 * every Mapping (`executorRoute`).
 */
import * as pulumi from "@pulumi/pulumi";
import { AddonRegistration } from "../aios-api/addon-registration";
import { GeneratedSecret } from "../k8s/generated-secret";
import { Workload } from "../cluster/workload";
import {
  ADDON_NAMESPACES,
  answersProbe,
  publicUrl,
  type AddonSpecContext,
} from "./addon-endpoints";
import { addonNamespace, credentialSecret } from "./addon-resources";
import type { PolicyExecutorSettings } from "./addon-settings";
import {
  executorId,
  executorNames,
  policyExecutorEntry,
  policyExecutorWorkload,
} from "./policy-executor-specs";

/** Arguments of {@link PolicyExecutor}. */
export interface PolicyExecutorArgs {
  readonly context: AddonSpecContext;
  readonly settings: PolicyExecutorSettings;
  /** The policy system (`policy_db_url`) to register with. @default - not registered */
  readonly registryUrl?: string;
  /** The gateway, whose Mapping routes `/executor/<id>/`. @default - none */
  readonly gateway?: pulumi.Resource;
}

/** A policy executor. */
export class PolicyExecutor extends pulumi.ComponentResource {
  /** The executor id. */
  public readonly executorId: pulumi.Output<string>;
  /** The executor's public REST URL. */
  public readonly url: pulumi.Output<string>;
  /** The redis password (secret), when the redis is exposed. */
  public readonly redisPassword: pulumi.Output<string | undefined>;
  /** The registered executor id, or undefined when not registered. */
  public readonly entryId: pulumi.Output<string | undefined>;

  constructor(name: string, args: PolicyExecutorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:PolicyExecutor", name, {}, opts);
    const { context: ctx, settings } = args;
    const id = executorId(ctx, settings);
    const namespace = ADDON_NAMESPACES.policyExecutor;
    const ns = addonNamespace(this, `${name}-namespace`, namespace, ctx.clusterId);
    const jobsNs = addonNamespace(
      this,
      `${name}-namespace-jobs`,
      ADDON_NAMESPACES.policyJobs,
      ctx.clusterId,
    );
    const password = settings.exposeRedis
      ? new GeneratedSecret(`${name}-redis-password`, {}, { parent: this })
      : undefined;
    const redisSecret =
      password === undefined
        ? []
        : [
            credentialSecret(this, `${name}-redis-secret`, {
              clusterId: ctx.clusterId,
              name: executorNames(id).redisSecret,
              namespace,
              component: "policy-executor",
              stringData: { password: password.value },
              namespaceResource: ns,
            }),
          ];
    const executor = new Workload(`${name}-executor`, policyExecutorWorkload(ctx, settings), {
      parent: this,
      dependsOn: [ns, jobsNs, ...redisSecret],
    });
    const registration =
      args.registryUrl === undefined
        ? undefined
        : new AddonRegistration(
            `${name}-registration`,
            {
              registry: { url: args.registryUrl, collection: "executor" },
              entryId: id,
              entry: policyExecutorEntry(ctx, settings),
              probe: answersProbe(ctx, "policyExecutor", settings.probeTimeoutSeconds),
            },
            {
              parent: this,
              dependsOn: [executor, ...(args.gateway === undefined ? [] : [args.gateway])],
            },
          );
    this.executorId = pulumi.output(id);
    this.url = pulumi.output(publicUrl(ctx, "policyExecutor"));
    this.redisPassword =
      password === undefined ? pulumi.output(undefined) : pulumi.secret(password.value);
    this.entryId = registration?.entryId ?? pulumi.output(undefined);
    this.registerOutputs({
      executorId: this.executorId,
      url: this.url,
      redisPassword: this.redisPassword,
      entryId: this.entryId,
    });
  }
}
