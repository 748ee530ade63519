/**
 * An add-on's entry in its AIOS registry, as a dynamic resource: create probes the add-on the way
 * the registry will (waiting until it is ready) and registers it under a stable id (replacing an
 * entry a run that lost its state left under that id); delete
 * unregisters it; read reports an entry removed out of band so the next `up` registers it again.
 * Any change of the entry replaces it (delete first: the id stays the same).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  deleteEntry,
  readEntry,
  registerEntry,
  waitForProbe,
  type ProbeAccepts,
  type RegistryCollection,
} from "./registries";

/** Bumped when the provider's behaviour or state shape changes. */
export const ADDON_REGISTRATION_PROVIDER_VERSION = "1";

/** A probe of the add-on before it is registered. */
export interface AddonProbe {
  readonly url: string;
  readonly accepts: ProbeAccepts;
  readonly timeoutSeconds: number;
}

interface AddonRegistrationInputs {
  readonly registry: RegistryCollection;
  /** The entry's id (also sent in the body). */
  readonly entryId: string;
  /** The entry as posted. */
  readonly entry: Record<string, unknown>;
  readonly probe?: AddonProbe;
  readonly providerVersion: string;
}

export const addonRegistrationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: AddonRegistrationInputs) {
    if (inputs.probe !== undefined) {
      await waitForProbe(
        inputs.probe.url,
        inputs.probe.accepts,
        inputs.probe.timeoutSeconds * 1000,
      );
    }
    // The id is stable: an entry left by a run whose state was lost is replaced, not duplicated.
    if ((await readEntry(inputs.registry, inputs.entryId)) !== undefined) {
      await deleteEntry(inputs.registry, inputs.entryId);
    }
    await registerEntry(inputs.registry, inputs.entry);
    return { id: inputs.entryId, outs: inputs };
  },
  diff(_id: string, olds: AddonRegistrationInputs, news: AddonRegistrationInputs) {
    const replaces = (["registry", "entryId", "entry"] as const).filter(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    return Promise.resolve({
      changes: replaces.length > 0 || JSON.stringify(olds) !== JSON.stringify(news),
      replaces,
      deleteBeforeReplace: true,
    });
  },
  update(_id: string, _olds: AddonRegistrationInputs, news: AddonRegistrationInputs) {
    // Only the probe settings or the provider version changed: nothing to send.
    return Promise.resolve({ outs: news });
  },
  async delete(id: string, props: AddonRegistrationInputs) {
    await deleteEntry(props.registry, id);
  },
  async read(id: string, props: AddonRegistrationInputs) {
    const stored = await readEntry(props.registry, id);
    return stored === undefined ? { id: "", props: {} } : { id, props };
  },
};

/** Arguments of {@link AddonRegistration}. */
export interface AddonRegistrationArgs {
  readonly registry: RegistryCollection;
  readonly entryId: string;
  readonly entry: pulumi.Input<Record<string, unknown>>;
  /** @default - no probe */
  readonly probe?: AddonProbe;
}

/** An add-on registered with the AIOS network. */
export class AddonRegistration extends pulumi.dynamic.Resource {
  declare public readonly entryId: pulumi.Output<string>;

  constructor(name: string, args: AddonRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      addonRegistrationProvider,
      name,
      { ...args, providerVersion: ADDON_REGISTRATION_PROVIDER_VERSION },
      opts,
      "aios-infra",
      "AddonRegistration",
    );
  }
}
