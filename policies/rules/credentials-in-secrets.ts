/**
 * Kubeconfigs, passwords and tokens only in Secrets: not as plain container env, not in
 * ConfigMaps, not in annotations. (The policy SDK hands rules properties with secrets already
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

/** Whether a key/value pair holds a credential. */
function holdsCredential(key: string, value: unknown): boolean {
  return namesCredential(key) || (typeof value === "string" && looksLikeCredential(value));
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
