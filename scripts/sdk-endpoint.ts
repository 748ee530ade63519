/**
 * `npm run sdk-endpoint -- --block-id <id> --cluster-id <id> [...]`: the SDK endpoint a lifecycle
 * Job runs beside an init container, started on a local port so a block developer can run an SDK
 * image (`docker run --network host -e CONTROLLER_URL=http://127.0.0.1:4000 …`) or SDK code against
 * it. It prints each read and status update as it arrives and, on Ctrl-C (or by itself after the
 * run's last update with --stop-after-run), the verdict `pulumi up` would reach. docs/blocks.md.
 */
import * as fs from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { startLocalSdkEndpoint } from "../components/blocks";
import { judgeSdkRun } from "../components/blocks";

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port or exit code (0-65535), received '${value}'`);
  }
  return n;
}

function jsonFile(value: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(value, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(
      `expected a JSON file, received '${value}': ${(e as Error).message}`,
    );
  }
}

const program = new Command("sdk-endpoint")
  .description("Run the init-container SDK endpoint locally and print the verdict of a run")
  .requiredOption("--block-id <id>", "the block id (BLOCK_ID)")
  .requiredOption("--cluster-id <id>", "the cluster id (CLUSTER_ID)")
  .addOption(
    new Option("--mode <mode>", "OPERATING_MODE of the run")
      .choices(["create", "delete"])
      .default("create"),
  )
  .option("--port <port>", "port on 127.0.0.1", int, 4000)
  .option(
    "--block <file>",
    "block document served at GET /blocks/<id> (default: a minimal third_party block)",
    jsonFile,
  )
  .option(
    "--cluster <file>",
    "cluster document served at GET /clusters/<id> (default: {id})",
    jsonFile,
  )
  .option("--blocks-db <url>", "ask this blocks DB first (as a registered stack does)")
  .option("--cluster-registry <url>", "ask this cluster registry first")
  .option("--exit-code <code>", "the init container's exit code, for the verdict", int, 0)
  .option("--stop-after-run", "stop by itself 1 s after a finish or failed update", false);

interface Options {
  blockId: string;
  clusterId: string;
  mode: "create" | "delete";
  port: number;
  block?: unknown;
  cluster?: unknown;
  blocksDb?: string;
  clusterRegistry?: string;
  exitCode: number;
  stopAfterRun: boolean;
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function describe(e: Record<string, unknown>): string {
  const { event, at, ...rest } = e;
  const when = typeof at === "string" ? `${at} ` : "";
  switch (event) {
    case "read":
      return `${when}GET ${text(rest.path)} -> ${text(rest.status)} (${text(rest.source)})${rest.note === undefined ? "" : ` ${text(rest.note)}`}`;
    case "update":
      return `${when}${text(rest.action)} ${text(rest.status)}${rest.stage === undefined ? "" : ` stage=${text(rest.stage)}`} status_data=${JSON.stringify(rest.status_data)}`;
    case "rejected":
      return `${when}REFUSED (400) field '${text(rest.field)}': ${text(rest.error)}`;
    default:
      return `${text(event)} ${JSON.stringify(rest)}`;
  }
}

async function main(): Promise<void> {
  const o = program.parse().opts<Options>();
  let stopping: Promise<void> | undefined;
  const endpoint = await startLocalSdkEndpoint({
    blockId: o.blockId,
    clusterId: o.clusterId,
    mode: o.mode,
    port: o.port,
    blockDocument: o.block ?? {
      id: o.blockId,
      component: { containerRegistryInfo: { componentMode: "third_party" } },
      blockInitData: {},
    },
    clusterDocument: o.cluster ?? { id: o.clusterId },
    env: {
      ...(o.blocksDb === undefined ? {} : { UPSTREAM_BLOCK_SERVICE_URL: o.blocksDb }),
      ...(o.clusterRegistry === undefined
        ? {}
        : { UPSTREAM_CLUSTER_SERVICE_URL: o.clusterRegistry }),
    },
    onEvent: (e) => {
      if (e.event === "record" || e.event === "listening") {
        return;
      }
      console.log(describe(e));
      const last = e.event === "update" && (e.status !== "success" || e.stage === "finish");
      if (o.stopAfterRun && last) {
        setTimeout(() => void stop(), 1000);
      }
    },
  });
  console.log(
    `SDK endpoint for block ${o.blockId} (${o.mode}) on ${endpoint.url}: set CONTROLLER_URL, BLOCK_SERVICE_URL and CLUSTER_SERVICE_URL to it; Ctrl-C for the verdict`,
  );
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      const record = await endpoint.stop();
      const verdict = judgeSdkRun({ mode: o.mode, exitCode: o.exitCode, recordText: record });
      if (verdict.ok) {
        console.log(`verdict: success (finish reached); result ${JSON.stringify(verdict.result)}`);
      } else {
        console.log(`verdict: failed at stage '${verdict.stage}': ${verdict.reason}`);
      }
      process.exit(verdict.ok ? 0 : 1);
    })();
    return stopping;
  }
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((e: unknown) => {
  console.error(`sdk-endpoint: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
