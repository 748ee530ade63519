/**
 * The committed stack files (dev and the staging and production examples) are valid
 * configurations, so the documented examples cannot rot; staging and production name every AIOS
 * image pinned and leave the kubeconfig to `pulumi config set --secret`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { parseStackConfig } from "../../components";

const ROOT = path.join(__dirname, "..", "..");

/** The `aios-infra:` values of a stack file, without the namespace. */
function stackValues(stack: string): Record<string, unknown> {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(doc.config).map(([k, v]) => [k.replace(/^aios-infra:/, ""), v]),
  );
}

test.each([
  ["dev", "dev"],
  ["staging", "staging"],
  ["production", "production"],
])("Pulumi.%s.yaml is a valid %s configuration", (stack, environment) => {
  const values = stackValues(stack);
  const parsed = parseStackConfig(values);
  expect(parsed.environment).toBe(environment);
  if (environment !== "dev") {
    // The kubeconfig is a secret, set with the CLI: never in the committed example.
    expect(values).not.toHaveProperty("kubeconfig");
    for (const image of Object.values(parsed.images)) {
      expect(image).not.toMatch(/:latest$|^34\.58\.1\.86/);
    }
  }
});
