/** Runs the program under the recording mocks and resolves its outputs (nested Outputs too). */
import * as pulumi from "@pulumi/pulumi";
import { NETWORK } from "./fixtures";
import { setStackConfig, type Registration } from "./mocks";
// The module only exports the program function; nothing registers until it is called.
import program = require("../../index");

/**
 * Clears `registrations`, sets the stack config (the node check off: it reads a real cluster and
 * is covered by node-inventory and e2e tests; the test network unless given), runs the program
 * and returns its resolved outputs once every registration has reached the mocks.
 */
export async function runProgram(
  registrations: Registration[],
  config: Record<string, unknown>,
): Promise<Record<string, any>> {
  registrations.length = 0;
  setStackConfig({ "aios-infra:verifyNodes": false, "aios-infra:network": NETWORK, ...config });
  const outputs = await program();
  const resolved = await new Promise<Record<string, any>>((resolve) =>
    pulumi.output(outputs).apply((v) => resolve(v as Record<string, any>)),
  );
  await new Promise((r) => setTimeout(r, 50));
  return resolved;
}
