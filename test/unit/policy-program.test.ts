/**
 * The program's own stacks against the policy pack, under mocks: every registered resource
 * through every resource rule, the whole stack through the stack rules, at the enforcement level
 * each environment's config file sets. The default dev stack breaks no mandatory rule (only the
 * advisory image pinning, for upstream's `:latest` dev images); a production stack with all five
 * add-ons breaks none at all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CLUSTER_IMAGE_KEYS } from "../../components/config";
import { POLICIES } from "../../policies/policies";
import { minimalCluster, NETWORK, OFFLINE_GATEWAY, pinnedImages } from "../support/fixtures";
import { recordRegistrations, type Registration } from "../support/mocks";
import {
  resourceViolations,
  stackViolations,
  type ResourceFixture,
} from "../support/policy-harness";
import { runProgram as runProgram_ } from "../support/program-runner";

const registrations: Registration[] = recordRegistrations();
const runProgram = (config: Record<string, unknown>) => runProgram_(registrations, config);

/** The enforcement level of each rule under `policies/config/<environment>.json`. */
function enforcement(environment: string): (rule: string) => string {
  const file = path.join(__dirname, "..", "..", "policies", "config", `${environment}.json`);
  const config = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const level = (v: unknown) =>
    typeof v === "string" ? v : (v as { enforcementLevel?: string } | undefined)?.enforcementLevel;
  return (rule) => level(config[rule]) ?? level(config.all) ?? "mandatory";
}

/** `[level] rule: message` for every violation of the registered stack. */
async function violations(environment: string): Promise<string[]> {
  const levelOf = enforcement(environment);
  const resources: ResourceFixture[] = registrations.map((r) => ({
    type: r.type,
    props: r.inputs,
    name: r.name,
  }));
  const out: string[] = [];
  for (const policy of POLICIES) {
    const found =
      "validateStack" in policy
        ? await stackViolations(policy, resources)
        : (await Promise.all(resources.map((r) => resourceViolations(policy, r)))).flat();
    out.push(...found.map((m) => `[${levelOf(policy.name)}] ${policy.name}: ${m}`));
  }
  return out;
}

const CLUSTER = minimalCluster("policed", [["node-1"]]);

test("the default dev stack breaks no mandatory rule; image pinning is advisory there", async () => {
  await runProgram({ "aios-infra:cluster": CLUSTER, "aios-infra:gateway": OFFLINE_GATEWAY });
  const found = await violations("dev");
  expect(found.filter((v) => v.startsWith("[mandatory]"))).toEqual([]);
  expect(found.length).toBeGreaterThan(0);
  for (const v of found) {
    expect(v).toMatch(
      /^\[advisory\] images-pinned: .* runs '34\.58\.1\.86:31280\/cluster\/[a-z-]+:latest'/,
    );
  }
});

test("a production stack with all five add-ons breaks no rule at all", async () => {
  const images = pinnedImages([
    ...CLUSTER_IMAGE_KEYS,
    "assetsRegistry",
    "inferenceServer",
    "policyExecutor",
    "splitRunner",
  ]);
  const config = {
    "aios-infra:environment": "production",
    "aios-infra:kubeconfig": "apiVersion: v1\nkind: Config\n",
    "aios-infra:cluster": CLUSTER,
    "aios-infra:images": { ...images, mongo: "mongo:7.0.14", redis: "redis:7.4.1" },
    "aios-infra:network": NETWORK,
    "aios-infra:addons": {
      containerRegistry: {},
      assetsRegistry: {},
      inferenceServer: {},
      policyExecutor: {},
      modelSplitter: {},
    },
  };
  await runProgram(config);
  expect(registrations.length).toBeGreaterThan(120);
  expect(await violations("production")).toEqual([]);

  // An exposed executor redis is a datastore on a NodePort until an operator allows that Service.
  await runProgram({
    ...config,
    "aios-infra:addons": { policyExecutor: { exposeRedis: true } },
  });
  expect(await violations("production")).toEqual([
    "[mandatory] no-datastore-on-nodeport: Service policies-system/executor-public-policed exposes datastore port 'redis' (6379) on a NodePort Service. Serve it on a ClusterIP Service.",
  ]);
});
