/**
 * Two jest projects: `unit` (mocks, pure functions, contract tests on loopback) and `e2e` (the real
 * Pulumi CLI and Kubernetes provider against the local control plane). `npm test` runs both.
 * @type {import('jest').Config}
 */
const tsJest = ["ts-jest", { tsconfig: "tsconfig.json" }];
module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
    },
    {
      displayName: "e2e",
      testEnvironment: "node",
      transform: { "^.+\\.ts$": tsJest },
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      slowTestThreshold: 600,
    },
  ],
};
