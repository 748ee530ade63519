/**
 * The container registry add-on: its namespace, a generated htpasswd credential (a Pulumi secret),
 * the registry workload from container-registry-specs.ts, and its registration.
 */
import * as pulumi from "@pulumi/pulumi";
import { AddonRegistration } from "../aios-api/addon-registration";
import { GeneratedSecret } from "../k8s/generated-secret";
import { Workload } from "../cluster/workload";
import { ADDON_NAMESPACES, type AddonSpecContext } from "./addon-endpoints";
import { addonEntryId } from "./addon-entry";
import { addonNamespace, credentialSecret } from "./addon-resources";
import type { ContainerRegistrySettings } from "./addon-settings";
import {
  CONTAINER_REGISTRY,
  containerRegistryEntry,
  containerRegistryProbe,
  containerRegistryUrls,
  containerRegistryWorkload,
} from "./container-registry-specs";

/** Arguments of {@link ContainerRegistry}. */
export interface ContainerRegistryArgs {
  readonly context: AddonSpecContext;
  readonly settings: ContainerRegistrySettings;
  /** The container-registry registry to register with. @default - not registered */
  readonly registryUrl?: string;
}

/** A private image registry on the cluster. */
export class ContainerRegistry extends pulumi.ComponentResource {
  /** The registry's public URL (`http://<host>:<nodePort>`). */
  public readonly url: pulumi.Output<string>;
  /** The htpasswd user. */
  public readonly username: pulumi.Output<string>;
  /** The generated password (secret). */
  public readonly password: pulumi.Output<string>;
  /** The registry entry's id, or undefined when not registered. */
  public readonly entryId: pulumi.Output<string | undefined>;

  constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aios-infra:addons:ContainerRegistry", name, {}, opts);
    const { context: ctx, settings } = args;
    const namespace = ADDON_NAMESPACES.containerRegistry;
    const ns = addonNamespace(this, `${name}-namespace`, namespace, ctx.clusterId);
    const credential = new GeneratedSecret(
      `${name}-password`,
      { htpasswdUser: settings.username },
      { parent: this },
    );
    const auth = credentialSecret(this, `${name}-htpasswd`, {
      clusterId: ctx.clusterId,
      name: CONTAINER_REGISTRY.authSecret,
      namespace,
      component: "container-registry",
      stringData: { htpasswd: credential.htpasswd.apply((h) => h ?? "") },
      namespaceResource: ns,
    });
    const workload = new Workload(`${name}-registry`, containerRegistryWorkload(ctx, settings), {
      parent: this,
      dependsOn: [ns, auth],
    });
    const entryId = addonEntryId(ctx.clusterId, "containerRegistry");
    const registration =
      args.registryUrl === undefined
        ? undefined
        : new AddonRegistration(
            `${name}-registration`,
            {
              registry: { url: args.registryUrl, collection: "container_registry" },
              entryId,
              entry: containerRegistryEntry(ctx, settings, entryId),
              probe: containerRegistryProbe(ctx, settings),
            },
            { parent: this, dependsOn: [workload] },
          );
    this.url = pulumi.output(containerRegistryUrls(ctx).url);
    this.username = pulumi.output(settings.username);
    this.password = pulumi.secret(credential.value);
    this.entryId = registration?.entryId ?? pulumi.output(undefined);
    this.registerOutputs({
      url: this.url,
      username: this.username,
      password: this.password,
      entryId: this.entryId,
    });
  }
}
