/**
 * A TCP proxy on loopback that forwards requests at once and holds every answer for a while: what
 * a slow or congested link to an API server looks like. A client cancelled meanwhile has sent
 * requests the server applied and never hears the answers — the window the CLI's interrupted-create
 * recording exists for. TLS passes through untouched.
 */
import * as net from "node:net";

/** A running proxy. */
export interface DelayingProxy {
  readonly port: number;
  close(): Promise<void>;
}

/** Proxies `127.0.0.1:<port>` to `host:targetPort`, delaying the server's bytes by `delayMs`. */
export async function startDelayingProxy(
  host: string,
  targetPort: number,
  delayMs: number,
): Promise<DelayingProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Timers of equal delay fire in order, so the stream's bytes keep their order.
    upstream.on("data", (chunk: Buffer) => {
      setTimeout(() => {
        if (!client.destroyed) {
          client.write(chunk);
        }
      }, delayMs);
    });
    upstream.on("end", () => setTimeout(() => client.end(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}
