/**
 * Where the toolchain step (scripts/toolchain/build.sh) puts each binary. Both read the same
 * versions.env, so the cache key (tool + version) is computed in one way only.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The tools the build script knows, with the binaries each one provides. */
export const TOOLS = {
  pulumi: { versionKey: "PULUMI_VERSION", binaries: ["pulumi"] },
  "kubernetes-provider": {
    versionKey: "K8S_PROVIDER_VERSION",
    binaries: ["pulumi-resource-kubernetes"],
  },
  kube: {
    versionKey: "KUBE_VERSION",
    binaries: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"],
  },
  etcd: { versionKey: "ETCD_VERSION", binaries: ["etcd"] },
  kwok: { versionKey: "KWOK_VERSION", binaries: ["kwok"] },
} as const;

export type ToolName = keyof typeof TOOLS;
export type BinaryName = (typeof TOOLS)[ToolName]["binaries"][number];

/** Parses a KEY=VALUE file (comments and blank lines ignored), as bash `source` would read it. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) {
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) {
      throw new Error(`versions.env: expected KEY=VALUE, got '${line}'`);
    }
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The pinned versions from versions.env. */
export function toolchainVersions(): Record<string, string> {
  return parseEnvFile(fs.readFileSync(path.join(__dirname, "versions.env"), "utf8"));
}

/** The cache directory, resolved exactly as build.sh resolves it. */
export function toolchainCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.AIOS_TOOLCHAIN_CACHE ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "aios-infra", "toolchain")
  );
}

/** The version of one tool. */
export function toolVersion(tool: ToolName): string {
  const key = TOOLS[tool].versionKey;
  const version = toolchainVersions()[key];
  if (version === undefined) {
    throw new Error(`scripts/toolchain/versions.env has no ${key}`);
  }
  return version;
}

/** The directory holding a tool's binaries. */
export function toolBinDir(tool: ToolName): string {
  return path.join(toolchainCacheDir(), `${tool}-${toolVersion(tool)}`, "bin");
}

/** Absolute path of one binary; throws with the fix when the toolchain has not been built. */
export function binaryPath(binary: BinaryName): string {
  const tool = (Object.keys(TOOLS) as ToolName[]).find((t) =>
    (TOOLS[t].binaries as readonly string[]).includes(binary),
  );
  if (tool === undefined) {
    throw new Error(`unknown toolchain binary '${binary}'`);
  }
  const file = path.join(toolBinDir(tool), binary);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${binary} (${tool} ${toolVersion(tool)}) is not built at ${file}; run 'npm run toolchain'`,
    );
  }
  return file;
}

/** kwok's default stage files, copied beside the kwok binary by the build. */
export function kwokStagesDir(): string {
  return path.join(toolchainCacheDir(), `kwok-${toolVersion("kwok")}`, "stages");
}
