/**
 * The CrossGuard pack options of an operation: the pack directory, and its config file — the one
 * given, else the pack's `config/<environment>.json` for the stack's environment when it has one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The packs and config files an operation runs with (Automation API option names). */
export interface PolicyOptions {
  readonly policyPacks?: string[];
  readonly policyPackConfigs?: string[];
}

/** The options for `pack` (none when undefined); throws naming the flag on a bad pack. */
export function policyOptions(
  environment: string,
  pack: string | undefined,
  config: string | undefined,
): PolicyOptions {
  if (pack === undefined) {
    if (config !== undefined) {
      throw new Error("--policy-pack-config needs --policy-pack");
    }
    return {};
  }
  const packDir = path.resolve(pack);
  if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
    throw new Error(`--policy-pack ${pack}: no PulumiPolicy.yaml in ${packDir}`);
  }
  if (config !== undefined && !fs.existsSync(config)) {
    throw new Error(`--policy-pack-config ${config}: no such file`);
  }
  const byEnvironment = path.join(packDir, "config", `${environment}.json`);
  const configFile = config ?? (fs.existsSync(byEnvironment) ? byEnvironment : undefined);
  return {
    policyPacks: [packDir],
    ...(configFile === undefined ? {} : { policyPackConfigs: [path.resolve(configFile)] }),
  };
}
