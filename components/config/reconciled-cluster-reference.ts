/**
 * What an operations stack reads from the cluster stack it has reconciled: its cluster id and
 * `managedScope`, validated at preview like stack config.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, problemsFromZod } from "./config-errors";
import { CONFIG_NAMESPACE } from "./config-namespace";
import { managedScopeSchema, type ManagedScope } from "../operations/managed-scope";

/** The reconciled cluster stack's outputs. */
export interface ReconciledCluster {
  readonly clusterId: string;
  readonly scope: ManagedScope;
}

/** Reads and validates `clusterId` and `managedScope` of the stack `ref` points at. */
export async function readReconciledCluster(
  ref: pulumi.StackReference,
  stackName: string,
): Promise<ReconciledCluster> {
  const at = `${CONFIG_NAMESPACE}:selfHealing.stack`;
  const [clusterId, scope] = await Promise.all([
    ref.getOutputDetails("clusterId"),
    ref.getOutputDetails("managedScope"),
  ]);
  if (typeof clusterId.value !== "string" || scope.value === undefined) {
    throw new ConfigError([
      {
        path: at,
        message: `stack ${stackName} has no clusterId and managedScope outputs; name a cluster stack of this program that has been deployed (its scope decides what the operator's workspace may touch)`,
        received: JSON.stringify(stackName),
      },
    ]);
  }
  const parsed = managedScopeSchema.safeParse(scope.value, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      problemsFromZod(`${at}(${stackName}).outputs`, [
        ...parsed.error.issues.map((i) => ({ ...i, path: ["managedScope", ...i.path] })),
      ]),
    );
  }
  return { clusterId: clusterId.value, scope: parsed.data };
}
