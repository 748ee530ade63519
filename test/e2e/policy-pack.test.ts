/**
 * The CrossGuard pack on the local control plane, through the Automation API (which runs
 * `pulumi preview --policy-pack policies`): the program's own stack passes every mandatory rule —
 * the gateway chart's objects included — and a deliberately broken stack config fails preview
 * with the expected violations, at the enforcement level each environment's config sets.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CLUSTER_IMAGE_KEYS } from "../../components/config";
import { LocalControlPlane } from "../../scripts/control-plane/local-control-plane";
import { openE2eStack, writeStackConfig, type E2eStack } from "../support/e2e-stack";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY, pinnedImages } from "../support/fixtures";

jest.setTimeout(10 * 60 * 1000);

const ROOT = path.resolve(__dirname, "..", "..");
const PACK = path.join(ROOT, "policies");
const packConfig = (env: string) => path.join(PACK, "config", `${env}.json`);

/** Every AIOS image pinned, as a production stack names them. */
const PINNED = pinnedImages(CLUSTER_IMAGE_KEYS);
const compliant = {
  "aios-infra:cluster": minimalCluster("policed", [["node-1"]]),
  "aios-infra:network": NETWORK,
  "aios-infra:gateway": OFFLINE_GATEWAY,
  "aios-infra:images": PINNED,
};
/** Valid for the program, unsafe for the pack: unpinned images, a NodePort past the pack's range. */
const broken = {
  ...compliant,
  "aios-infra:images": { ...PINNED, mongo: "mongo", redis: "redis:latest" },
  "aios-infra:gateway": { ...OFFLINE_GATEWAY, values: { image: { tag: "latest" } } },
  "aios-infra:nodePorts": { grpcProxy: 32760 },
};

let plane: LocalControlPlane;
let e2e: E2eStack;
let tmp: string;

beforeAll(async () => {
  plane = await LocalControlPlane.start({ nodes: [{ name: "node-1" }] });
  e2e = await openE2eStack("policed", compliant, plane.kubeconfigPath);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aios-policy-"));
});

afterAll(async () => {
  await e2e?.dispose();
  plane?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs a preview with the pack; returns its output and whether it failed. */
async function previewWithPack(configFile: string): Promise<{ failed: boolean; output: string }> {
  let output = "";
  try {
    await e2e.stack.preview({
      policyPacks: [PACK],
      policyPackConfigs: [configFile],
      onOutput: (line) => (output += line),
    });
    return { failed: false, output };
  } catch (e) {
    return { failed: true, output: output + String((e as Error).message) };
  }
}

test("the program's own stack passes every mandatory rule, gateway chart objects included", async () => {
  const { failed, output } = await previewWithPack(packConfig("production"));
  expect(output).toContain("aios-infra@v0.1.0");
  expect([failed, output]).toEqual([false, expect.not.stringMatching(/\[(mandatory|advisory)\]/)]);
});

test("a broken stack config fails preview with the expected violations", async () => {
  writeStackConfig(e2e.dir, "policed", broken);
  const rangeConfig = path.join(tmp, "narrow-range.json");
  fs.writeFileSync(
    rangeConfig,
    JSON.stringify({ all: "mandatory", "nodeport-in-range": { max: 32700 } }),
  );
  const { failed, output } = await previewWithPack(rangeConfig);
  expect(failed).toBe(true);
  for (const expected of [
    "Service controllers/grpc-proxy port 'grpc' uses NodePort 32760, outside the cluster's range 30000-32700. Choose a port inside the range.",
    "StatefulSet metrics/cluster-metrics container 'mongodb' runs 'mongo', which is not pinned. Use a version tag other than 'latest', or a digest.",
    "Deployment metrics/metrics-writer container 'metrics-redis' runs 'redis:latest', which is not pinned.",
    "Deployment ambassador/ambassador container 'ambassador' runs 'docker.io/datawire/ambassador:latest', which is not pinned.",
  ]) {
    expect(output).toContain(expected);
  }
});

test("dev lowers image pinning to advisory: the same images warn, the range still fails", async () => {
  const devRange = path.join(tmp, "dev-range.json");
  fs.writeFileSync(
    devRange,
    JSON.stringify({ "images-pinned": "advisory", "nodeport-in-range": { max: 32700 } }),
  );
  const failing = await previewWithPack(devRange);
  expect(failing.failed).toBe(true);
  expect(failing.output).toContain("outside the cluster's range 30000-32700");
  // Without the narrowed range only advisories remain: the preview succeeds.
  const { failed, output } = await previewWithPack(packConfig("dev"));
  expect(failed).toBe(false);
  expect(output).toContain("runs 'redis:latest', which is not pinned");
});
