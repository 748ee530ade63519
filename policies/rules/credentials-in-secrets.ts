/**
 * Kubeconfigs, passwords and tokens only in Secrets: not as plain container env (nor inside a URL
 * there), not on a command line, not in ConfigMaps, not in annotations. (The policy SDK hands rules properties with secrets already
 * unwrapped, so the rule checks where credentials end up, not how Pulumi marked them.)
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, metadataOf, podSpecOf } from "../lib/objects";

/** Name parts that mark a credential (`DB_PASSWORD`, `apiToken`, `kubeconfig`). */
const CREDENTIAL_PART =
  /^(password|passwd|secret|token|kubeconfig|credentials?|apikey|privatekey)$/i;

/** Whether a name (env var, data key, annotation) names a credential. */
export function namesCredential(name: string): boolean {
  const parts = name
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== "");
  return parts.some((p) => CREDENTIAL_PART.test(p)) || /(ACCESS|SECRET|PRIVATE)_KEY$/i.test(name);
}

/** Whether a value looks like a kubeconfig or a private key. */
export function looksLikeCredential(value: string): boolean {
  return (
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value) ||
    (/\bkind:\s*Config\b/.test(value) && /\busers:/.test(value))
  );
}

/** A URL with a password in it (`scheme://user:password@host`), not a `$(VAR)` reference. */
const URL_PASSWORD = /:\/\/[^/\s:@]+:(?!\$\()[^/\s@]+@/;

/** A command-line flag that takes a credential (`--requirepass`, `--password=…`). */
const CREDENTIAL_FLAG = /^--?(requirepass|password|passwd|token|secret)(=(.*))?$/i;

/** Whether a value is a reference to an env var (`$(VAR)`, `$VAR`, `${VAR}`), not a literal. */
function isReference(value: string): boolean {
  return /^\$(\(|\{)?[A-Za-z_][A-Za-z0-9_]*(\)|\})?$/.test(value);
}

/** The flags of a command line that pass a literal credential. */
export function literalCredentialFlags(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    const m = CREDENTIAL_FLAG.exec(arg);
    if (m === null) {
      return;
    }
    const value = m[3] ?? argv[i + 1];
    if (value !== undefined && value !== "" && !isReference(value)) {
      found.push(m[1] ?? arg);
    }
  });
  return found;
}

/** Whether a key/value pair holds a credential. */
function holdsCredential(key: string, value: unknown): boolean {
  return (
    namesCredential(key) ||
    (typeof value === "string" && (looksLikeCredential(value) || URL_PASSWORD.test(value)))
  );
}

export const credentialsInSecrets: ResourceValidationPolicy = {
  name: "credentials-in-secrets",
  description:
    "Kubeconfigs, passwords and tokens are kept in Secrets, never in plain env, ConfigMaps or annotations.",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    const what = describe(args.type, args.props);
    for (const [key, value] of Object.entries(metadataOf(args.props).annotations ?? {})) {
      if (holdsCredential(key, value)) {
        reportViolation(`${what} has a credential in annotation '${key}'. Keep it in a Secret.`);
      }
    }
    if (args.type === "kubernetes:core/v1:ConfigMap") {
      const data = (args.props as { data?: Readonly<Record<string, unknown>> }).data ?? {};
      for (const [key, value] of Object.entries(data)) {
        if (holdsCredential(key, value)) {
          reportViolation(`${what} holds a credential in key '${key}'. Keep it in a Secret.`);
        }
      }
      return;
    }
    for (const ref of containersOf(podSpecOf(args.type, args.props))) {
      const argv = [...(ref.container.command ?? []), ...(ref.container.args ?? [])];
      for (const flag of literalCredentialFlags(argv)) {
        reportViolation(
          `${what} ${containerLabel(ref)} passes --${flag} on its command line in plain text. Take it from a Secret through an env var ($(VAR)).`,
        );
      }
      for (const env of ref.container.env ?? []) {
        if (env.value !== undefined && holdsCredential(env.name, env.value)) {
          reportViolation(
            `${what} ${containerLabel(ref)} sets ${env.name} in plain text. Take it from a Secret (valueFrom.secretKeyRef).`,
          );
        }
      }
    }
  },
};
