/** kubectl, built by the toolchain step from the same Kubernetes version as the control plane. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { binaryPath } from "../scripts/toolchain/paths";

const run = promisify(execFile);

/** Runs kubectl against `kubeconfig`; resolves with stdout, rejects with its stderr. */
export async function kubectl(kubeconfig: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(binaryPath("kubectl"), [`--kubeconfig=${kubeconfig}`, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}
