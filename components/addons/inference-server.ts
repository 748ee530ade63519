/**
 * The adhoc inference server add-on: namespace `inference-server`, a generated DB password, the
 * TimescaleDB, redis and server from inference-server-specs.ts, the cluster controller's read
 * access to the namespace's Services (how it finds the server), and its registration.
 */
import * as k8s from "@pulumi/kubernetes";
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
import { addonEntryId } from "./addon-entry";
import { addonNamespace, credentialSecret } from "./addon-resources";
import type { InferenceServerSettings } from "./addon-settings";
import {
  controllerDiscoveryAccess,
  INFERENCE,
  inferenceRedisWorkload,
  inferenceServerEntry,
  inferenceServerWorkload,
  timescaleWorkload,
} from "./inference-server-specs";

/** Arguments of {@link InferenceServer}. */
export interface InferenceServerArgs {
  readonly context: AddonSpecContext;
  readonly settings: InferenceServerSettings;
  /** The inference-server registry to register with. @default - not registered */
  readonly registryUrl?: string;
}

/** An adhoc inference server with its datastores. */
export class InferenceServer extends pulumi.ComponentResource {
  /** The server's public gRPC URL. */
  public readonly grpcUrl: pulumi.Output<string>;
  /** The server's public REST URL. */
  public readonly restUrl: pulumi.Output<string>;
  /** The instance id (`ADHOC_INSTANCE_ID`, the registry entry's id). */
  public readonly instanceId: pulumi.Output<string>;
  /** The registry entry's id, or undefined when not registered. */
  public readonly entryId: pulumi.Output<string | undefined>;

  constructor(name: string, args: InferenceServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:InferenceServer", name, {}, opts);
    const { context: ctx, settings } = args;
    const namespace = ADDON_NAMESPACES.inferenceServer;
    const ns = addonNamespace(this, `${name}-namespace`, namespace, ctx.clusterId);
    const password = new GeneratedSecret(`${name}-db-password`, {}, { parent: this });
    const dbSecret = credentialSecret(this, `${name}-db-secret`, {
      clusterId: ctx.clusterId,
      name: INFERENCE.dbSecret,
      namespace,
      component: "inference-db",
      stringData: { password: password.value },
      namespaceResource: ns,
    });
    const db = new Workload(`${name}-db`, timescaleWorkload(ctx, settings), {
      parent: this,
      dependsOn: [ns, dbSecret],
    });
    const redis = new Workload(`${name}-redis`, inferenceRedisWorkload(ctx), {
      parent: this,
      dependsOn: [ns],
    });
    const id = addonEntryId(ctx.clusterId, "inferenceServer");
    const server = new Workload(`${name}-server`, inferenceServerWorkload(ctx, settings, id), {
      parent: this,
      dependsOn: [ns, dbSecret, db, redis],
    });
    const discovery = controllerDiscoveryAccess(ctx);
    const role = new k8s.rbac.v1.Role(`${name}-discovery-role`, discovery.role, {
      parent: this,
      dependsOn: [ns],
    });
    new k8s.rbac.v1.RoleBinding(`${name}-discovery-rolebinding`, discovery.binding, {
      parent: this,
      dependsOn: [ns, role],
    });
    const registration =
      args.registryUrl === undefined
        ? undefined
        : new AddonRegistration(
            `${name}-registration`,
            {
              registry: { url: args.registryUrl, collection: "inference_server" },
              entryId: id,
              entry: inferenceServerEntry(ctx, settings, id),
              // The registry checks nothing; an entry nobody can reach is worse than none.
              probe: answersProbe(ctx, "inferenceRest", settings.probeTimeoutSeconds),
            },
            { parent: this, dependsOn: [server] },
          );
    this.grpcUrl = pulumi.output(publicUrl(ctx, "inferenceGrpc"));
    this.restUrl = pulumi.output(publicUrl(ctx, "inferenceRest"));
    this.instanceId = pulumi.output(id);
    this.entryId = registration?.entryId ?? pulumi.output(undefined);
    this.registerOutputs({
      grpcUrl: this.grpcUrl,
      restUrl: this.restUrl,
      instanceId: this.instanceId,
      entryId: this.entryId,
    });
  }
}
