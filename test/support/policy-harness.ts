/**
 * Runs CrossGuard policies in-process, the way Pulumi's own policy unit-test examples do: a
 * `ResourceValidationArgs`/`StackValidationArgs` stub whose `getConfig` returns the policy's
 * schema defaults merged with overrides, collecting every reported violation.
 */
import type {
  PolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/** A resource as a policy sees it. */
export interface ResourceFixture {
  readonly type: string;
  readonly props: Record<string, unknown>;
  /** @default "fixture" */
  readonly name?: string;
  /** @default - a stack-level URN (`urn:pulumi:unit::aios-infra::<type>::<name>`) */
  readonly urn?: string;
}

/** The policy's config: its schema's defaults, then `overrides`. */
function configOf(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).map(([k, v]) => [k, v.default]),
  );
  return { ...defaults, ...overrides };
}

function policyResource(r: ResourceFixture): PolicyResource {
  const name = r.name ?? "fixture";
  return {
    type: r.type,
    props: r.props,
    urn: r.urn ?? `urn:pulumi:unit::aios-infra::${r.type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: {},
      additionalSecretOutputs: [],
    },
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  } as unknown as PolicyResource;
}

/** The violations a resource policy reports for one resource. */
export async function resourceViolations(
  policy: ResourceValidationPolicy,
  resource: ResourceFixture,
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const violations: string[] = [];
  const args = {
    ...policyResource(resource),
    getConfig: () => configOf(policy, config),
    notApplicable: () => {
      throw new Error("not applicable");
    },
  };
  const validate = policy.validateResource;
  const validators = validate === undefined ? [] : Array.isArray(validate) ? validate : [validate];
  for (const run of validators) {
    await run(args as never, (message: string) => violations.push(message));
  }
  return violations;
}

/** The violations a stack policy reports for a set of resources. */
export async function stackViolations(
  policy: StackValidationPolicy,
  resources: readonly ResourceFixture[],
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const violations: string[] = [];
  await policy.validateStack(
    {
      resources: resources.map(policyResource),
      getConfig: () => configOf(policy, config) as never,
      notApplicable: () => {
        throw new Error("not applicable");
      },
    } as never,
    (message: string) => violations.push(message),
  );
  return violations;
}
