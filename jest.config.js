/**
 * Three jest projects: `unit` (mocks, pure functions), `contract` (the AIOS API client against its
 * local double on loopback) and `e2e` (the real Pulumi CLI and Kubernetes provider against the
 * local control plane). `npm test` runs all three.
 *
 * @kubernetes/client-node and a few of its dependencies ship only as ES modules, which jest's
 * CommonJS runtime cannot require on Node 22; ts-jest transpiles exactly those packages.
 * @type {import('jest').Config}
 */
const ESM_PACKAGES = [
  "@kubernetes/client-node",
  "jsonpath-plus",
  "openid-client",
  "oauth4webapi",
  "jose",
  "rfc4648",
  "socks-proxy-agent",
  "agent-base",
];
const common = {
  testEnvironment: "node",
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
    "^.+\\.m?js$": [
      "ts-jest",
      { tsconfig: { allowJs: true, module: "commonjs", target: "ES2022" }, isolatedModules: true },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join("|")})/)`],
};
module.exports = {
  // A file's first program run compiles the whole program and serializes the dynamic providers;
  // on a loaded 2-core machine that alone can exceed jest's default 5 s. (A global option: jest
  // ignores it inside a project.)
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/test/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "contract",
      testMatch: ["<rootDir>/test/contract/**/*.test.ts"],
    },
    {
      ...common,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      slowTestThreshold: 600,
    },
  ],
};
