/**
 * The settings of an operations stack: `aios-infra:operator` (the Pulumi Kubernetes Operator's
 * chart) and `aios-infra:selfHealing` (the cluster stack it keeps in its desired state, where its
 * program and state live, how often it is re-applied). Secrets go in `aios-infra:selfHealingSecrets`
 * (see {@link selfHealingSecretsSchema}), never here.
 */
import { z } from "zod";
import { stackName } from "../config/blocks-stack-config";
import { chartSourceSchema } from "../k8s/chart-source";
import { dnsLabel } from "../config/cluster-document";
import { isPinned, parseImageRef } from "../config/images";

/** The operator's chart: PKO v2.9.0, the current release (reference/pko.md §3). */
export const DEFAULT_OPERATOR_CHART = {
  repository: "oci://ghcr.io/pulumi/helm-charts",
  name: "pulumi-kubernetes-operator",
  version: "2.9.0",
} as const;

/** The workspace image: the Pulumi CLI this project is tested with, non-root. */
export const DEFAULT_WORKSPACE_IMAGE = "pulumi/pulumi:3.259.0-nonroot";

/** The shortest resync the operator honours (it raises anything lower to 60 s). */
export const MIN_RESYNC_SECONDS = 60;

/** `aios-infra:operator`. */
export const operatorSettingsSchema = z
  .strictObject({
    /**
     * Install the operator (it is cluster-wide: one per cluster). Off when the cluster already runs
     * it; the Stack is then handed to that operator. @default true
     */
    install: z.boolean().default(true),
    /** The chart, pinned. @default DEFAULT_OPERATOR_CHART */
    chart: chartSourceSchema.default(DEFAULT_OPERATOR_CHART),
    /** The operator's namespace. @default "pulumi-kubernetes-operator" */
    namespace: dnsLabel.default("pulumi-kubernetes-operator"),
    /** Extra chart values, merged over the stack's own. @default {} */
    values: z.record(z.string(), z.unknown()).default({}),
  })
  .default({
    install: true,
    chart: DEFAULT_OPERATOR_CHART,
    namespace: "pulumi-kubernetes-operator",
    values: {},
  });
export type OperatorSettings = z.infer<typeof operatorSettingsSchema>;

const gitCommit = z.string().regex(/^[0-9a-f]{40}$/, {
  error: "must be a full 40-character commit SHA",
});

/** Where the operator fetches the program: a git repository at a branch or a commit. */
const sourceSchema = z
  .strictObject({
    /**
     * The repository holding this project: `https://…` (cloned with `gitToken` when set) or
     * `ssh://…` / `git@host:path` (cloned with `gitSshKey`). Never credentials in the URL.
     */
    repository: z
      .string()
      .regex(/^(https:\/\/|ssh:\/\/|git@[^:]+:)\S+$/, {
        error: "must be a git URL: https://…, ssh://… or git@host:path",
      })
      .refine((v) => !/^https:\/\/[^/]*@/.test(v) && !/^ssh:\/\/[^/@]*:[^/@]*@/.test(v), {
        error:
          "must not carry credentials (they would be stored in plain text in the Stack and the state): put a token in aios-infra:selfHealingSecrets.gitToken or a key in .gitSshKey",
      }),
    /** A branch, followed at every resync. Exactly one of branch and commit. */
    branch: z.string().min(1).optional(),
    /** A fixed commit. Exactly one of branch and commit. */
    commit: gitCommit.optional(),
    /** The project's directory in the repository. @default "" (the root) */
    directory: z.string().default(""),
  })
  .refine((s) => (s.branch === undefined) !== (s.commit === undefined), {
    error: "must name exactly one of branch and commit",
  });

/** A state backend the workspace pod can reach and that outlives it. */
const backendSchema = z
  .string()
  .refine((v) => !v.startsWith("file:"), {
    error:
      "must outlive the workspace pod: a file:// backend lives in the pod's emptyDir and is lost with it; use the backend your pipelines use (s3://, gs://, azblob:// or https://)",
  })
  .refine((v) => /^(s3|gs|azblob|https):\/\/\S+$/.test(v), {
    error: "must be an s3://, gs://, azblob:// or https:// backend URL",
  });

/** Verbs that let a subject grant more than it holds or act as someone else: never granted. */
const ESCALATING_VERBS = ["*", "escalate", "bind", "impersonate"];

/** A policy rule for cluster-scoped objects a third-party chart brings. */
const ruleSchema = z.strictObject({
  apiGroups: z
    .array(z.string())
    .min(1)
    .refine((v) => v.every((x) => x !== "*"), {
      error: "must name API groups: '*' is never granted",
    }),
  resources: z
    .array(z.string().min(1))
    .min(1)
    .refine((v) => v.every((x) => x !== "*" && !x.startsWith("*/")), {
      error: "must name resources: '*' is never granted",
    }),
  verbs: z
    .array(z.string().min(1))
    .min(1)
    .refine((v) => !v.some((x) => ESCALATING_VERBS.includes(x)), {
      error: `must name plain verbs: ${ESCALATING_VERBS.map((x) => `'${x}'`).join(", ")} are never granted`,
    }),
  resourceNames: z.array(z.string().min(1)).optional(),
});

/** `aios-infra:selfHealing`. */
export const selfHealingSettingsSchema = z.strictObject({
  /**
   * The cluster stack to keep in its desired state, fully qualified
   * (`<organization>/aios-infra/<stack>`). Never the operations stack itself.
   */
  stack: stackName,
  /** Namespace of the Stack, its workspace and its Secrets. @default "aios-operations" */
  namespace: dnsLabel.default("aios-operations"),
  /** The program's git source. */
  source: sourceSchema,
  /** The reconciled stack's state backend (the one the pipelines use). */
  backend: backendSchema,
  /** Seconds between re-applies (`pulumi up --refresh`). @default 300 */
  resyncSeconds: z
    .int()
    .min(MIN_RESYNC_SECONDS, {
      error: `must be at least ${MIN_RESYNC_SECONDS}: the operator raises anything lower to ${MIN_RESYNC_SECONDS}`,
    })
    .default(300),
  /** Refresh before each update, so that changes made behind Pulumi's back are seen. @default true */
  refresh: z.boolean().default(true),
  /** Destroy the reconciled stack when the Stack resource is deleted. @default false */
  destroyOnFinalize: z.boolean().default(false),
  /** The workspace image, pinned. @default DEFAULT_WORKSPACE_IMAGE */
  workspaceImage: z
    .string()
    .refine(
      (v) => {
        const ref = parseImageRef(v);
        // `latest-nonroot` moves like `latest`.
        return ref !== undefined && isPinned(ref) && !(ref.tag ?? "").startsWith("latest");
      },
      { error: "must be an image reference pinned to a version tag (not latest*) or a digest" },
    )
    .default(DEFAULT_WORKSPACE_IMAGE),
  /** How long finished runs (Update objects and their output Secrets) are kept. @default "6h" */
  keepRunsFor: z
    .string()
    .regex(/^\d+[smh]$/, { error: "must be a duration such as 30m or 6h" })
    .default("6h"),
  /**
   * Cluster-scoped access for what third-party charts bring (a gateway chart's CRDs and
   * ClusterRoles, say); granted to the workspace on top of its computed scope. @default []
   */
  extraClusterRules: z.array(ruleSchema).default([]),
});
export type SelfHealingSettings = z.infer<typeof selfHealingSettingsSchema>;

/** `aios-infra:selfHealingSecrets` (a secret object). */
export const selfHealingSecretsSchema = z.strictObject({
  /** The reconciled stack's config passphrase. */
  passphrase: z.string().min(1),
  /** Environment for the workspace, such as the backend's credentials. @default {} */
  environment: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment name" }),
      z.string(),
    )
    .default({}),
  /** A token the operator clones the repository with (https sources). */
  gitToken: z.string().min(1).optional(),
  /** A private key (PEM or OpenSSH) the operator clones the repository with (ssh sources). */
  gitSshKey: z
    .string()
    .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, { error: "must be a PEM or OpenSSH private key" })
    .optional(),
});
export type SelfHealingSecrets = z.infer<typeof selfHealingSecretsSchema>;

/** How the operator authenticates to the repository. */
export type GitAuth = "none" | "token" | "ssh";

/** Whether a repository URL is reached over SSH. */
export const isSshRepository = (repository: string) => !repository.startsWith("https://");
