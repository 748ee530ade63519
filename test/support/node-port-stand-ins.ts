/**
 * Stand-ins for add-on servers behind their NodePorts. The local control plane runs pods on kwok's
 * simulated nodes — no containers, no kube-proxy — so nothing answers on a NodePort. The AIOS
 * registries probe an add-on before they store it (`/v2/`, `/health`), and so does the stack; these
 * loopback servers answer there the way the real servers do, so the registration path runs for
 * real end to end. Each records the paths it was asked for.
 */
import * as http from "node:http";

/** One stand-in: its port, the requests it got, and how to stop it. */
export interface StandIn {
  readonly port: number;
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:`port` answering `status(path)`. */
export async function standIn(port: number, status: (path: string) => number): Promise<StandIn> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method ?? "GET"} ${req.url ?? "/"}`);
    res.writeHead(status(req.url ?? "/"), { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
