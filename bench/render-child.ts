/**
 * Renders the bench stack under the Pulumi mocks and prints, as one JSON document, the Kubernetes
 * objects it declares (as `kubectl apply` takes them) and each init container's lifecycle inputs.
 * Run by the cluster and init-container benchmarks in a process of its own (mocks are global).
 */
import * as pulumi from "@pulumi/pulumi";
import { recordRegistrations, setStackConfig } from "../test/support/mocks";
import { benchStackConfig } from "./bench-stack";
import { runChildMain } from "./child-process";

/** Removes the mocks' secret wrappers, keeping the values. */
function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(unwrap);
  }
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
      return unwrap(record.value);
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrap(v)]));
  }
  return value;
}

async function main(): Promise<void> {
  const registrations = recordRegistrations();
  setStackConfig(benchStackConfig(Number(process.argv[2])));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require("../index") as () => Promise<Record<string, unknown>>;
  const outputs = await program();
  await new Promise((resolve) => pulumi.output(outputs).apply(resolve));
  await pulumi.runtime.awaitStackRegistrations();
  const objects = registrations
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh"))
    .map((r) => {
      const object = unwrap(r.inputs) as Record<string, unknown>;
      // A NodePatch is server-side applied to an existing Node: the same as applying a Node.
      return r.type.endsWith(":NodePatch") ? { ...object, kind: "Node" } : object;
    });
  const initContainers = registrations
    .filter((r) => r.type === "pulumi-nodejs:dynamic/aios-infra:InitContainer")
    .map((r) => {
      const { __provider: _provider, ...inputs } = unwrap(r.inputs) as Record<string, unknown>;
      return inputs;
    });
  process.stdout.write(JSON.stringify({ objects, initContainers }));
}

runChildMain(main);
