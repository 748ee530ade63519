/**
 * The cluster's entry in the AIOS network, as dynamic resources (DESIGN.md's provider rules: one
 * provider object each, modules required where they run, `outs` hold everything delete and read
 * need, no credentials in inputs):
 *
 * - {@link ClusterRegistration}: create registers the validated cluster document through the
 *   Parser, update pushes the changed fields through the gateway, delete removes the entry, read
 *   fetches it from the registry so `pulumi refresh` shows drift;
 * - {@link ClusterUrlMap}: writes the stack's urlMap (plain strings) into the entry once the
 *   cluster services are ready, and clears it on destroy.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  createCluster,
  deleteCluster,
  readCluster,
  updateCluster,
  type AiosEndpoints,
} from "./client";

/** Bumped when the providers' behaviour or state shape changes. */
export const REGISTRATION_PROVIDER_VERSION = "1";

interface RegistrationInputs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: string;
  /** The cluster document as registered (without `config.urlMap`, which the urlMap owns). */
  readonly document: Record<string, unknown>;
  readonly providerVersion: string;
}

/** The registered fields the stack owns, from a stored document (drops `_id`, urlMap, …). */
function ownedFields(
  stored: Record<string, unknown>,
  document: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(document)) {
    const value = stored[key];
    if (key === "config" && typeof value === "object" && value !== null) {
      const { urlMap: _urlMap, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    } else if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

export const registrationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: RegistrationInputs) {
    await createCluster(inputs.endpoints, inputs.document);
    return { id: inputs.clusterId, outs: inputs };
  },
  diff(_id: string, olds: RegistrationInputs, news: RegistrationInputs) {
    const changed = JSON.stringify(olds) !== JSON.stringify(news);
    return Promise.resolve({
      changes: changed,
      replaces: olds.clusterId === news.clusterId ? [] : ["clusterId"],
      deleteBeforeReplace: true,
    });
  },
  async update(id: string, olds: RegistrationInputs, news: RegistrationInputs) {
    const fields = Object.fromEntries(
      Object.entries(news.document).filter(
        ([k, v]) => JSON.stringify(olds.document[k]) !== JSON.stringify(v),
      ),
    );
    if (Object.keys(fields).length > 0) {
      if (fields.config !== undefined) {
        // `config` as a whole would drop the urlMap the ClusterUrlMap wrote: set its keys.
        const { config, ...rest } = fields;
        Object.assign(
          rest,
          Object.fromEntries(
            Object.entries(config as Record<string, unknown>).map(([k, v]) => [`config.${k}`, v]),
          ),
        );
        await updateCluster(news.endpoints, id, rest);
      } else {
        await updateCluster(news.endpoints, id, fields);
      }
    }
    return { outs: news };
  },
  async delete(id: string, props: RegistrationInputs) {
    await deleteCluster(props.endpoints, id);
  },
  async read(id: string, props: RegistrationInputs) {
    const stored = await readCluster(props.endpoints, id);
    if (stored === undefined) {
      // Gone from the network: refresh drops it, and the next `up` registers it again.
      return { id: "", props: {} };
    }
    return { id, props: { ...props, document: ownedFields(stored, props.document) } };
  },
};

/** Arguments of {@link ClusterRegistration}. */
export interface ClusterRegistrationArgs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: string;
  readonly document: Record<string, unknown>;
}

/** The cluster's entry in the AIOS cluster registry. */
export class ClusterRegistration extends pulumi.dynamic.Resource {
  declare public readonly clusterId: pulumi.Output<string>;

  constructor(name: string, args: ClusterRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      registrationProvider,
      name,
      { ...args, providerVersion: REGISTRATION_PROVIDER_VERSION },
      opts,
      "aios-infra",
      "ClusterRegistration",
    );
  }
}

interface UrlMapInputs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: string;
  readonly urlMap: Record<string, string>;
  readonly providerVersion: string;
}

export const urlMapProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: UrlMapInputs) {
    await updateCluster(inputs.endpoints, inputs.clusterId, { "config.urlMap": inputs.urlMap });
    return { id: inputs.clusterId, outs: inputs };
  },
  async update(_id: string, _olds: UrlMapInputs, news: UrlMapInputs) {
    await updateCluster(news.endpoints, news.clusterId, { "config.urlMap": news.urlMap });
    return { outs: news };
  },
  async delete(_id: string, props: UrlMapInputs) {
    // Cleared while the entry exists; an entry already gone holds no urlMap.
    if ((await readCluster(props.endpoints, props.clusterId)) !== undefined) {
      await updateCluster(props.endpoints, props.clusterId, { "config.urlMap": {} });
    }
  },
  async read(id: string, props: UrlMapInputs) {
    const stored = await readCluster(props.endpoints, props.clusterId);
    const urlMap = (stored?.config as { urlMap?: Record<string, string> } | undefined)?.urlMap;
    if (urlMap === undefined || Object.keys(urlMap).length === 0) {
      return { id: "", props: {} };
    }
    return { id, props: { ...props, urlMap } };
  },
};

/** Arguments of {@link ClusterUrlMap}. */
export interface ClusterUrlMapArgs {
  readonly endpoints: AiosEndpoints;
  readonly clusterId: pulumi.Input<string>;
  readonly urlMap: pulumi.Input<Record<string, string>>;
}

/** The cluster entry's `config.urlMap`. */
export class ClusterUrlMap extends pulumi.dynamic.Resource {
  declare public readonly urlMap: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ClusterUrlMapArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      urlMapProvider,
      name,
      { ...args, providerVersion: REGISTRATION_PROVIDER_VERSION },
      opts,
      "aios-infra",
      "ClusterUrlMap",
    );
  }
}
