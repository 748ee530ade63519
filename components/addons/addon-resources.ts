/**
 * The Kubernetes objects every add-on component creates the same way: its namespaces (labelled
 * like the AIOS namespaces, so NetworkPolicies and inventories see them) and the Secrets that
 * carry its generated credentials to its pods.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { recommendedLabels } from "../k8s/labels";
import { namespaceMetadata } from "../cluster/namespaces";

/** An add-on namespace, a child of `parent`. */
export function addonNamespace(
  parent: pulumi.Resource,
  resourceName: string,
  namespace: string,
  clusterId: string,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    resourceName,
    { metadata: namespaceMetadata(namespace, clusterId) },
    { parent },
  );
}

/** Arguments of {@link credentialSecret}. */
export interface CredentialSecretArgs {
  readonly clusterId: string;
  /** The Secret's object name. */
  readonly name: string;
  readonly namespace: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /** Its keys; the provider keeps Secret data secret in state. */
  readonly stringData: Readonly<Record<string, pulumi.Input<string>>>;
  /** Its namespace's resource. */
  readonly namespaceResource: pulumi.Resource;
}

/** A Secret of generated credentials, a child of `parent`. */
export function credentialSecret(
  parent: pulumi.Resource,
  resourceName: string,
  a: CredentialSecretArgs,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    resourceName,
    {
      metadata: {
        name: a.name,
        namespace: a.namespace,
        labels: recommendedLabels({ name: a.name, component: a.component, clusterId: a.clusterId }),
      },
      type: "Opaque",
      stringData: { ...a.stringData },
    },
    { parent, dependsOn: [a.namespaceResource] },
  );
}
