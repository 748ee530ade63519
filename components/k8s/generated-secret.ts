/**
 * A generated credential kept in the stack's state as a Pulumi secret: random once at create,
 * stable afterwards, replaced only when its shape changes. With `htpasswdUser` it also carries the
 * bcrypt htpasswd line a `registry:2` needs, computed once so the registry's Secret does not
 * change on every run.
 *
 * A dynamic provider because the `random` provider cannot be built on these machines (the Go
 * module proxy refuses pulumi-random); it follows DESIGN.md's provider rules: modules required
 * where they run, everything delete and read need in `outs`.
 */
import * as pulumi from "@pulumi/pulumi";

/** Bumped when the provider's behaviour or state shape changes. */
export const GENERATED_SECRET_PROVIDER_VERSION = "1";

interface GeneratedSecretInputs {
  readonly length: number;
  readonly htpasswdUser?: string;
  readonly providerVersion: string;
}

interface GeneratedSecretOutputs extends GeneratedSecretInputs {
  readonly value: string;
  readonly htpasswd?: string;
}

export const generatedSecretProvider: pulumi.dynamic.ResourceProvider = {
  create(inputs: GeneratedSecretInputs) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const crypto = require("node:crypto") as typeof import("node:crypto");
    const bcrypt = require("bcryptjs") as typeof import("bcryptjs");
    /* eslint-enable @typescript-eslint/no-require-imports */
    // Letters and digits only: safe in URLs, shells, YAML and connection strings.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let value = "";
    while (value.length < inputs.length) {
      const byte = crypto.randomBytes(1)[0] ?? 255;
      // Rejection sampling keeps every character equally likely.
      if (byte < 248) {
        value += alphabet[byte % alphabet.length];
      }
    }
    const outs: GeneratedSecretOutputs = {
      ...inputs,
      value,
      ...(inputs.htpasswdUser === undefined
        ? {}
        : { htpasswd: `${inputs.htpasswdUser}:${bcrypt.hashSync(value, 10)}\n` }),
    };
    return Promise.resolve({ id: crypto.randomUUID(), outs });
  },
  diff(_id: string, olds: GeneratedSecretOutputs, news: GeneratedSecretInputs) {
    const replaces = (["length", "htpasswdUser"] as const).filter((k) => olds[k] !== news[k]);
    const changes = replaces.length > 0 || olds.providerVersion !== news.providerVersion;
    return Promise.resolve({ changes, replaces });
  },
  update(_id: string, olds: GeneratedSecretOutputs, news: GeneratedSecretInputs) {
    return Promise.resolve({ outs: { ...olds, providerVersion: news.providerVersion } });
  },
  read(id: string, props: GeneratedSecretOutputs) {
    // Nothing outside the state holds it: what the state has is the truth.
    return Promise.resolve({ id, props });
  },
};

/** Arguments of {@link GeneratedSecret}. */
export interface GeneratedSecretArgs {
  /** Characters (letters and digits). @default 32 */
  readonly length?: number;
  /** Also compute a bcrypt htpasswd line for this user. @default - none */
  readonly htpasswdUser?: string;
}

/** A random credential, secret in state and in every output. */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  /** The credential. */
  declare public readonly value: pulumi.Output<string>;
  /** `<user>:<bcrypt hash>\n`, when `htpasswdUser` is set. */
  declare public readonly htpasswd: pulumi.Output<string | undefined>;

  constructor(name: string, args: GeneratedSecretArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      generatedSecretProvider,
      name,
      {
        length: args.length ?? 32,
        ...(args.htpasswdUser === undefined ? {} : { htpasswdUser: args.htpasswdUser }),
        providerVersion: GENERATED_SECRET_PROVIDER_VERSION,
        value: undefined,
        htpasswd: undefined,
      },
      { ...opts, additionalSecretOutputs: ["value", "htpasswd"] },
      "aios-infra",
      "GeneratedSecret",
    );
  }
}
