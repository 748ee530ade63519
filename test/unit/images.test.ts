/** Image references: parsed, validated, and pinned outside dev. */
import { parseStackConfig } from "../../components";
import { DEFAULT_IMAGES, IMAGE_KEYS, isPinned, parseImageRef } from "../../components/config";
import { minimalCluster, NETWORK } from "../support/fixtures";

const cluster = minimalCluster("c", [["n"]]);
const DIGEST = `sha256:${"a".repeat(64)}`;

test.each([
  ["redis:7.4.1", { repository: "redis", tag: "7.4.1" }, true],
  ["mongo", { repository: "mongo" }, false],
  ["library/mongo:7", { repository: "library/mongo", tag: "7" }, true],
  ["mongo:latest", { repository: "mongo", tag: "latest" }, false],
  [
    `registry.local:5000/aios/membership@${DIGEST}`,
    { registry: "registry.local:5000", repository: "aios/membership", digest: DIGEST },
    true,
  ],
  [
    "34.58.1.86:31280/cluster/rpc:1.2.0",
    { registry: "34.58.1.86:31280", repository: "cluster/rpc", tag: "1.2.0" },
    true,
  ],
])("parses %s", (ref, parts, pinned) => {
  const parsed = parseImageRef(ref);
  expect(parsed).toMatchObject(parts);
  expect(isPinned(parsed!)).toBe(pinned);
});

test.each(["", "UPPER/case:1", "a b:1", "repo:", "repo@sha256:short"])(
  "rejects %j as an image reference",
  (ref) => {
    expect(parseImageRef(ref)).toBeUndefined();
  },
);

/** Pinned AIOS images from a private registry, as staging and production must name them. */
const PINNED_AIOS = Object.fromEntries(
  IMAGE_KEYS.filter((k) => DEFAULT_IMAGES[k] === undefined).map((k) => [
    k,
    `registry.local/aios/${k.toLowerCase()}:2.3.1`,
  ]),
);

test("dev defaults: pinned public datastores and upstream's AIOS images, overridable", () => {
  const { images } = parseStackConfig({
    network: NETWORK,
    cluster,
    images: { membershipServer: "registry.local/aios/membership:2.3.1" },
  });
  expect(images).toEqual({
    mongo: "mongo:7.0.14",
    redis: "redis:7.4.1",
    metricsWriter: "34.58.1.86:31280/cluster/metrics:latest",
    metricsCollector: "34.58.1.86:31280/cluster/daemon:latest",
    controllerInfra: "34.58.1.86:31280/cluster/infra:latest",
    blockTransactions: "34.58.1.86:31280/cluster/block-tx:latest",
    parameterUpdater: "34.58.1.86:31280/cluster/parameter-updater:latest",
    clusterMonitor: "34.58.1.86:31280/cluster/monitor:latest",
    healthChecker: "34.58.1.86:31280/cluster/stability-checker:latest",
    membershipServer: "registry.local/aios/membership:2.3.1",
    grpcProxy: "34.58.1.86:31280/cluster/rpc:latest",
  });
});

test("outside dev every AIOS image is required, named by key", () => {
  const { membershipServer, ...rest } = PINNED_AIOS;
  expect(membershipServer).toBe("registry.local/aios/membershipserver:2.3.1");
  expect(() =>
    parseStackConfig({ network: NETWORK, environment: "production", cluster, images: rest }),
  ).toThrow(
    [
      "invalid stack configuration (1 problem):",
      "  - aios-infra:images.membershipServer: is required in production: a pinned image from your registry (upstream's :latest images are defaults in dev only) (received nothing)",
    ].join("\n"),
  );
  expect(
    parseStackConfig({ network: NETWORK, environment: "production", cluster, images: PINNED_AIOS })
      .images.grpcProxy,
  ).toBe("registry.local/aios/grpcproxy:2.3.1");
});

test("dev accepts latest; staging refuses it and untagged images, naming each key", () => {
  const images = { redis: "redis:latest", grpcProxy: "registry.local/aios/rpc" };
  expect(
    parseStackConfig({ network: NETWORK, environment: "dev", cluster, images }).images.redis,
  ).toBe("redis:latest");
  expect(() =>
    parseStackConfig({
      network: NETWORK,
      environment: "staging",
      cluster,
      images: { ...PINNED_AIOS, ...images },
    }),
  ).toThrow(
    [
      "invalid stack configuration (2 problems):",
      "  - aios-infra:images.redis: must be pinned to a version tag or a digest in staging ('latest' and untagged images change under a running cluster) (received \"redis:latest\")",
      "  - aios-infra:images.grpcProxy: must be pinned to a version tag or a digest in staging ('latest' and untagged images change under a running cluster) (received \"registry.local/aios/rpc\")",
    ].join("\n"),
  );
});

test("malformed references and unknown image keys are reported", () => {
  expect(() =>
    parseStackConfig({ network: NETWORK, cluster, images: { redis: "Redis 7", mysql: "mysql:8" } }),
  ).toThrow(
    [
      "invalid stack configuration (2 problems):",
      '  - aios-infra:images.redis: must be an image reference: [registry[:port]/]repository[:tag][@sha256:<digest>] (received "Redis 7")',
      '  - aios-infra:images.mysql: is not a known setting; remove it or check its spelling (received "mysql:8")',
    ].join("\n"),
  );
});
