/**
 * Dynamic providers serialize outside jest too: jest's module system hides failures that a real
 * `pulumi up` hits (modules captured through interop wrappers, closures the serializer cannot
 * follow), so the check runs in a plain Node process under ts-node.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

test("every dynamic provider serializes in a plain Node process, requiring only npm modules", () => {
  const root = path.resolve(__dirname, "..", "..");
  const out = execFileSync(
    path.join(root, "node_modules", ".bin", "ts-node"),
    ["-T", path.join(root, "scripts", "check-provider-serialization.ts")],
    { cwd: root, encoding: "utf8", timeout: 120_000 },
  );
  expect(
    out
      .trim()
      .split("\n")
      .map((l) => l.replace(/: \d+ chars/, "")),
  ).toEqual([
    'initContainerProvider, require("@kubernetes/client-node")',
    'registrationProvider, require("zod")',
    'urlMapProvider, require("zod")',
    'delegatedInfraProvider, require("zod") require("node:fs") require("yaml")',
    "addonRegistrationProvider, no modules",
    'generatedSecretProvider, require("node:crypto") require("bcryptjs")',
  ]);
});
