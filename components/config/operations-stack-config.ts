/**
 * The configuration of an operations stack: it installs the Pulumi Kubernetes Operator on a
 * cluster and has it keep one cluster stack of this program in its desired state
 * (`aios-infra:selfHealing` selects this kind). It never reconciles itself: the operator's own
 * stack must stay outside the operator's reach.
 */
import { ConfigError, problemsFromZod, type ConfigProblem } from "./config-errors";
import { CONFIG_NAMESPACE, ENVIRONMENTS, type Environment } from "./config-namespace";
import { z } from "zod";
import {
  MAX_STACK_NAME_LENGTH,
  RESERVED_ENVIRONMENT,
  reconciledStackNames,
} from "../operations/operator-specs";
import {
  isSshRepository,
  operatorSettingsSchema,
  selfHealingSecretsSchema,
  type GitAuth,
  selfHealingSettingsSchema,
  type OperatorSettings,
  type SelfHealingSettings,
} from "../operations/self-healing-settings";

/** The settings an operations stack reads. */
export const OPERATIONS_STACK_KEYS = [
  "environment",
  "operator",
  "selfHealing",
  "selfHealingSecrets",
  "kubeconfig",
] as const;

const schema = z.strictObject({
  /** Deployment environment. @default "dev" */
  environment: z.enum(ENVIRONMENTS).default("dev"),
  operator: operatorSettingsSchema,
  selfHealing: selfHealingSettingsSchema,
});

/** The parsed configuration of an operations stack. */
export interface OperationsStackConfig {
  readonly kind: "operations";
  readonly environment: Environment;
  readonly operator: OperatorSettings;
  readonly selfHealing: SelfHealingSettings;
}

/** This stack, to refuse reconciling it. */
export interface OwnStack {
  readonly project: string;
  readonly stack: string;
}

/**
 * Parses an operations stack's config; `setKeys` are every namespace key the stack sets (each it
 * does not read is reported), `own` is this stack (it may not reconcile itself).
 */
export function parseOperationsStackConfig(
  raw: Readonly<Record<string, unknown>>,
  setKeys: readonly string[],
  own: OwnStack,
): OperationsStackConfig {
  const keys = OPERATIONS_STACK_KEYS as readonly string[];
  const problems: ConfigProblem[] = [...new Set(setKeys)]
    .filter((k) => !keys.includes(k))
    .map((key) => ({
      path: `${CONFIG_NAMESPACE}:${key}`,
      message: `is not used by an operations stack (aios-infra:selfHealing is set); its settings: ${keys.join(", ")}`,
      received: "a value",
    }));
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([k]) => keys.includes(k))),
    { reportInput: true },
  );
  if (!parsed.success) {
    problems.push(...problemsFromZod(CONFIG_NAMESPACE, parsed.error.issues));
  } else {
    problems.push(...targetProblems(parsed.data.selfHealing.stack, own));
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }
  return { kind: "operations", ...parsed.data };
}

function targetProblems(stack: string, own: OwnStack): ConfigProblem[] {
  const at = `${CONFIG_NAMESPACE}:selfHealing.stack`;
  const [, project, name] = stack.split("/");
  const problems: ConfigProblem[] = [];
  if (project === own.project && name === own.stack) {
    problems.push({
      path: at,
      message:
        "names this operations stack: the operator must reconcile a cluster stack, never the stack that installs it (an in-cluster run could restart or delete its own operator)",
      received: JSON.stringify(stack),
    });
  }
  const resourceName = reconciledStackNames(stack).stack;
  if (resourceName.length > MAX_STACK_NAME_LENGTH) {
    problems.push({
      path: at,
      message: `gives the Stack resource the name ${resourceName} (${resourceName.length} characters); the operator allows at most ${MAX_STACK_NAME_LENGTH}: use a shorter stack name`,
      received: JSON.stringify(stack),
    });
  }
  return problems;
}

/**
 * Checks `aios-infra:selfHealingSecrets` (a secret) without ever rendering its values: problems
 * name the field and what is allowed. The repository's kind decides which git credential fits.
 * Returns the problems, the names the Stack refers to, and how the operator authenticates to git.
 */
export function selfHealingSecretsProblems(
  raw: unknown,
  repository: string,
): {
  problems: ConfigProblem[];
  environmentNames: string[];
  gitAuth: GitAuth;
} {
  const at = `${CONFIG_NAMESPACE}:selfHealingSecrets`;
  if (raw === undefined) {
    return {
      problems: [
        {
          path: at,
          message: `is required: the reconciled stack's passphrase, as a secret object: pulumi config set --secret --path '${at}.passphrase' …`,
          received: "nothing",
        },
      ],
      environmentNames: [],
      gitAuth: "none",
    };
  }
  const parsed = selfHealingSecretsSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      // The received values are secrets: never rendered.
      problems: problemsFromZod(
        CONFIG_NAMESPACE,
        parsed.error.issues.map((i) => ({ ...i, path: ["selfHealingSecrets", ...i.path] })),
      ).map((p) => ({ ...p, received: "a secret value (not shown)" })),
      environmentNames: [],
      gitAuth: "none",
    };
  }
  const environmentNames = Object.keys(parsed.data.environment);
  const problems: ConfigProblem[] = environmentNames
    .filter((n) => (RESERVED_ENVIRONMENT as readonly string[]).includes(n))
    .map((n) => ({
      path: `${at}.environment.${n}`,
      message: `is set by the Stack itself (${RESERVED_ENVIRONMENT.join(", ")}: use passphrase and aios-infra:selfHealing.backend)`,
      received: "a secret value (not shown)",
    }));
  const ssh = isSshRepository(repository);
  const { gitToken, gitSshKey } = parsed.data;
  if (ssh && gitSshKey === undefined) {
    problems.push({
      path: `${at}.gitSshKey`,
      message: `is required: aios-infra:selfHealing.source.repository is an SSH URL (${repository}), which the operator clones with a private key`,
      received: "nothing",
    });
  }
  if (ssh && gitToken !== undefined) {
    problems.push({
      path: `${at}.gitToken`,
      message: `is for https repositories; aios-infra:selfHealing.source.repository is an SSH URL (${repository}): use gitSshKey`,
      received: "a secret value (not shown)",
    });
  }
  if (!ssh && gitSshKey !== undefined) {
    problems.push({
      path: `${at}.gitSshKey`,
      message: `is for SSH repositories; aios-infra:selfHealing.source.repository is an https URL (${repository}): use gitToken`,
      received: "a secret value (not shown)",
    });
  }
  const gitAuth: GitAuth = ssh ? "ssh" : gitToken === undefined ? "none" : "token";
  return { problems, environmentNames, gitAuth };
}
