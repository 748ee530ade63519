/**
 * A double of an interLink plugin ("sidecar") on loopback, implementing the plugin API that
 * interLink 0.6.2 calls (interlink.md §2b): `POST /create` with one `RetrievedPodData` object,
 * `GET /status` with a JSON body (`[]` is interLink's ping), `GET /getLogs` with a `LogStruct`,
 * `POST /delete` with the pod. Bodies on GET are read, as interLink sends them. It keeps the pods
 * it was given, records every call, answers each pod's containers as running (or terminated when
 * told), serves logs, and fails a chosen endpoint on demand.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One call the double received. */
export interface PluginCall {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

interface PodRef {
  readonly metadata?: {
    readonly uid?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
  readonly spec?: { readonly containers?: readonly { readonly name: string }[] };
}

/** A pod the plugin runs. */
export interface PluginPod {
  readonly uid: string;
  readonly name: string;
  readonly namespace: string;
  readonly containers: readonly string[];
  readonly startedAt: string;
  /** Exit code once the pod is told to finish. */
  exitCode?: number;
}

/** The plugin double. */
export class InterlinkPluginDouble {
  /** Calls in order. */
  public readonly calls: PluginCall[] = [];
  /** Running (or finished) pods by UID. */
  public readonly pods = new Map<string, PluginPod>();
  private readonly faults = new Map<string, { status: number; body: string }>();

  private constructor(private readonly server: http.Server) {}

  /** Starts on 127.0.0.1 (`port` 0: any free port). */
  static async start(port = 0): Promise<InterlinkPluginDouble> {
    const server = http.createServer();
    const double = new InterlinkPluginDouble(server);
    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      void double.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return double;
  }

  /** The port it listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Answers the next call to `path` with `status` and `body`. */
  failNext(path: string, status: number, body = "plugin failure"): void {
    this.faults.set(path, { status, body });
  }

  /** Ends a pod's containers with `exitCode`. */
  finish(uid: string, exitCode: number): void {
    const pod = this.pods.get(uid);
    if (pod !== undefined) {
      pod.exitCode = exitCode;
    }
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) {
      chunks.push(c as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = text;
    }
    const path = (req.url ?? "/").split("?")[0];
    this.calls.push({ method: req.method ?? "GET", path, body });
    const fault = this.faults.get(path);
    if (fault !== undefined) {
      this.faults.delete(path);
      res.writeHead(fault.status, { "content-type": "text/plain" }).end(fault.body);
      return;
    }
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    switch (path) {
      case "/create": {
        const pod = (body as { pod?: PodRef } | undefined)?.pod;
        const uid = pod?.metadata?.uid;
        if (typeof uid !== "string" || Array.isArray(body)) {
          json(400, { error: "expected one RetrievedPodData object with pod.metadata.uid" });
          return;
        }
        this.pods.set(uid, {
          uid,
          name: pod?.metadata?.name ?? "",
          namespace: pod?.metadata?.namespace ?? "",
          containers: (pod?.spec?.containers ?? []).map((c) => c.name),
          startedAt: new Date().toISOString(),
        });
        json(200, { PodUID: uid, PodJID: `job-${uid.slice(0, 8)}` });
        return;
      }
      case "/status": {
        const asked = Array.isArray(body) ? (body as PodRef[]) : [];
        json(
          200,
          asked
            .map((p) => this.pods.get(p.metadata?.uid ?? ""))
            .filter((p): p is PluginPod => p !== undefined)
            .map((p) => ({
              name: p.name,
              UID: p.uid,
              namespace: p.namespace,
              JID: `job-${p.uid.slice(0, 8)}`,
              containers: p.containers.map((name) => ({
                name,
                state:
                  p.exitCode === undefined
                    ? { running: { startedAt: p.startedAt } }
                    : {
                        terminated: {
                          exitCode: p.exitCode,
                          reason: p.exitCode === 0 ? "Completed" : "Error",
                        },
                      },
              })),
              initContainers: [],
            })),
        );
        return;
      }
      case "/getLogs": {
        const l = body as { PodUID?: string; PodName?: string; ContainerName?: string };
        const pod = this.pods.get(l?.PodUID ?? "");
        res
          .writeHead(pod === undefined ? 404 : 200, { "content-type": "text/plain" })
          .end(pod === undefined ? "no such pod" : `hello from ${pod.name}/${l.ContainerName}\n`);
        return;
      }
      case "/delete": {
        this.pods.delete((body as PodRef | undefined)?.metadata?.uid ?? "");
        res.writeHead(200).end();
        return;
      }
      default:
        res.writeHead(404).end();
    }
  }
}
