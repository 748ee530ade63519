/**
 * Pulumi runtime mocks that record every registration, for exact assertions on types, names and
 * inputs (reference/style-anchors.md §3.13).
 */
import * as pulumi from "@pulumi/pulumi";

/** One recorded registration. */
export interface Registration {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

/** Outputs of the stacks a StackReference may read under the mocks, by stack name. */
export const referencedStacks: Record<string, Record<string, unknown>> = {};

/** Installs mocks that record registrations into the returned array. */
export function recordRegistrations(): Registration[] {
  const registrations: Registration[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registrations.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
        });
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          const outputs = referencedStacks[name] ?? {};
          return { id: name, state: { name, outputs, secretOutputNames: [] } };
        }
        return { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
      },
      call: (args) => {
        throw new Error(`Mock not implemented: ${args.token}`);
      },
    },
    "aios-infra",
    "unit",
    false,
  );
  // The mock monitor claims no support for resource transforms, so registering a resource with
  // `transforms` (the gateway chart's labels) would throw. The engine applies transforms to the
  // children it expands, which mocks never register; declaring the feature lets the program run
  // unchanged, with the transform recorded but not applied (e2e tests check it for real).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- getStore is @internal
  const state = require("@pulumi/pulumi/runtime/state") as {
    getStore(): { supportsTransforms: boolean };
  };
  state.getStore().supportsTransforms = true;
  return registrations;
}

/** Resolves an Output's value. */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/**
 * Sets the stack config for the program (values are JSON-encoded like the CLI passes them; keys
 * whose value is undefined are left out).
 */
export function setStackConfig(config: Record<string, unknown>, secretKeys: string[] = []): void {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ),
    secretKeys,
  );
}
