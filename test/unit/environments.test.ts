/**
 * Staging and production name their cluster: without `aios-infra:kubeconfig` the program refuses
 * at preview (a stray $KUBECONFIG in a pipeline can never aim production at the wrong cluster);
 * dev may use $KUBECONFIG, i.e. the embedded local cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_IMAGE_KEYS } from "../../components/config";
import { minimalCluster, pinnedImages } from "../support/fixtures";
import { recordRegistrations, type Registration } from "../support/mocks";
import { runProgram } from "../support/program-runner";

const registrations: Registration[] = recordRegistrations();
const PINNED = pinnedImages(CLUSTER_IMAGE_KEYS);
const config = (environment: string, kubeconfig?: string) => ({
  "aios-infra:environment": environment,
  "aios-infra:cluster": minimalCluster("env-cluster", [["node-1"]]),
  "aios-infra:images": PINNED,
  "aios-infra:kubeconfig": kubeconfig,
});

test.each([["staging"], ["production"]])(
  "%s without a kubeconfig fails at preview, naming the key, and registers nothing",
  async (environment) => {
    const logged = jest.spyOn(pulumi.log, "error").mockResolvedValue(undefined);
    const outputs = await runProgram(registrations, config(environment));
    expect(outputs).toEqual({});
    expect(registrations).toEqual([]);
    expect(logged).toHaveBeenCalledWith(
      [
        "invalid stack configuration (1 problem):",
        `  - aios-infra:kubeconfig: is required in ${environment}: set it with \`pulumi config set --secret aios-infra:kubeconfig -- "$(cat kubeconfig.yaml)"\` (only dev may use $KUBECONFIG or the embedded local cluster) (received nothing)`,
        "Fix these values in Pulumi.<stack>.yaml (or with `pulumi config set`) and run again.",
      ].join("\n"),
    );
    logged.mockRestore();
  },
);

test("with a kubeconfig, production deploys; dev needs none", async () => {
  const production = await runProgram(
    registrations,
    config("production", "apiVersion: v1\nkind: Config\n"),
  );
  expect(production.clusterId).toBe("env-cluster");
  expect(registrations.some((r) => r.type === "pulumi:providers:kubernetes")).toBe(true);
  const dev = await runProgram(registrations, config("dev"));
  expect(dev.environment).toBe("dev");
});
