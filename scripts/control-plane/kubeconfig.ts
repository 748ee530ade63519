/** The kubeconfig of the local control plane: one cluster, one token user, one context. */

/** What a kubeconfig for the local control plane needs. */
export interface LocalKubeconfigArgs {
  /** `https://127.0.0.1:<port>` of kube-apiserver. */
  readonly server: string;
  /** PEM of the apiserver's self-signed serving certificate, trusted as the CA. */
  readonly caPem: string;
  /** Bearer token of the admin user (from the apiserver's token file). */
  readonly token: string;
  /** Context and cluster name. @default "aios-local" */
  readonly name?: string;
}

/** Builds the kubeconfig as a JSON document (valid YAML). */
export function buildKubeconfig(args: LocalKubeconfigArgs): string {
  const name = args.name ?? "aios-local";
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name,
          cluster: {
            server: args.server,
            "certificate-authority-data": Buffer.from(args.caPem).toString("base64"),
          },
        },
      ],
      users: [{ name: `${name}-admin`, user: { token: args.token } }],
      contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
      "current-context": name,
    },
    null,
    2,
  );
}
