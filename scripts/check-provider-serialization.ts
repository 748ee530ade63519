/**
 * Serializes every dynamic provider the way the Pulumi runtime does outside jest (plain Node with
 * ts-node, like the language host) and prints what each captures. Fails when one cannot be
 * serialized — e.g. a module captured through TypeScript's interop wrapper, or closures the
 * serializer cannot follow — which jest's module system would hide. Run by a unit test.
 */
import * as pulumi from "@pulumi/pulumi";
import { addonRegistrationProvider } from "../components/aios-api";
import { registrationProvider, urlMapProvider } from "../components/aios-api";
import { delegatedInfraProvider } from "../components/aios-api";
import { initContainerProvider } from "../components/blocks";
import { generatedSecretProvider } from "../components/k8s";

async function main(): Promise<void> {
  const providers = {
    initContainerProvider,
    registrationProvider,
    urlMapProvider,
    delegatedInfraProvider,
    addonRegistrationProvider,
    generatedSecretProvider,
  };
  for (const [name, provider] of Object.entries(providers)) {
    const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const requires = [...new Set(text.match(/require\("[^"]+"\)/g) ?? [])].join(" ");
    console.log(`${name}: ${text.length} chars, ${requires || "no modules"}`);
  }
}

main().catch((e: unknown) => {
  console.error(`provider serialization failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
