/**
 * Runs the SDK endpoint (sdk-endpoint.js) as a local process, exactly as the lifecycle's sidecar
 * runs it, for a block developer trying an SDK image (`npm run sdk-endpoint`) and for the tests.
 * Not used by the program: nothing here runs in `pulumi up`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SDK_ENDPOINT_FILES } from "./init-container-contract";
import { SDK_ENDPOINT_SCRIPT } from "./sdk-endpoint-script";

/** Arguments of {@link startLocalSdkEndpoint}. */
export interface LocalSdkEndpointArgs {
  readonly blockId: string;
  readonly clusterId: string;
  /** @default "create" */
  readonly mode?: "create" | "delete";
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** The documents served at GET /blocks/<id> and /clusters/<id>. @default - none (404) */
  readonly blockDocument?: unknown;
  readonly clusterDocument?: unknown;
  /** Extra environment of the endpoint (UPSTREAM_*, STATUS_CONFIGMAP, SDK_ENDPOINT_KUBE_*, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with each JSON line the endpoint prints (read, update, rejected, record). */
  readonly onEvent?: (event: Record<string, unknown>) => void;
}

/** A running endpoint. */
export interface LocalSdkEndpoint {
  /** `http://127.0.0.1:<port>`: the SDK's CONTROLLER_URL, BLOCK_ and CLUSTER_SERVICE_URL. */
  readonly url: string;
  readonly port: number;
  /** Every event so far. */
  readonly events: Record<string, unknown>[];
  /** Sends SIGTERM (as the kubelet does) and returns the record it wrote (its termination message). */
  stop(): Promise<string>;
}

/** Starts the endpoint and resolves once it listens. */
export async function startLocalSdkEndpoint(args: LocalSdkEndpointArgs): Promise<LocalSdkEndpoint> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-endpoint-"));
  if (args.blockDocument !== undefined) {
    fs.writeFileSync(path.join(dir, SDK_ENDPOINT_FILES.block), JSON.stringify(args.blockDocument));
  }
  if (args.clusterDocument !== undefined) {
    fs.writeFileSync(
      path.join(dir, SDK_ENDPOINT_FILES.cluster),
      JSON.stringify(args.clusterDocument),
    );
  }
  const recordFile = path.join(dir, "termination-log");
  const child = spawn(process.execPath, [SDK_ENDPOINT_SCRIPT], {
    env: {
      PATH: process.env.PATH ?? "",
      BLOCK_ID: args.blockId,
      CLUSTER_ID: args.clusterId,
      OPERATING_MODE: args.mode ?? "create",
      SDK_ENDPOINT_PORT: String(args.port ?? 0),
      DOCUMENTS_DIR: dir,
      RECORD_FILE: recordFile,
      ...args.env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const events: Record<string, unknown>[] = [];
  let buffered = "";
  let onListening: ((port: number) => void) | undefined;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines.filter((l) => l.trim() !== "")) {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      args.onEvent?.(event);
      if (event.event === "listening") {
        onListening?.(Number(event.port));
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const port = await new Promise<number>((resolve, reject) => {
    onListening = resolve;
    void exited.then((code) =>
      reject(new Error(`the SDK endpoint exited with ${code} before listening`)),
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    events,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      const record = fs.existsSync(recordFile) ? fs.readFileSync(recordFile, "utf8") : "";
      fs.rmSync(dir, { recursive: true, force: true });
      return record;
    },
  };
}
