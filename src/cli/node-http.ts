import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";

export type FetchHandler = (request: Request) => Promise<Response> | Response;

export interface NodeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves a `(Request) => Response` handler with node:http; the only socket code in tessera. */
export function serveNode(
  handler: FetchHandler,
  options: { port?: number; hostname?: string } = {},
): Promise<NodeServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer((req, res) => {
    void handle(handler, req, res, hostname);
  });
  // Keep-alive sockets would hold close() open for their idle timeout.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off("error", reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        // An IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2).
        url: `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function handle(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, hostname: string) {
  try {
    const response = await handler(toRequest(req, hostname));
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, key) => {
      headers[key] = key === "set-cookie" ? response.headers.getSetCookie() : value;
    });
    // An empty statusText would print "HTTP/1.1 401 " with no reason phrase.
    if (response.statusText) res.writeHead(response.status, response.statusText, headers);
    else res.writeHead(response.status, headers);
    if (response.body && req.method !== "HEAD") {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
    }
    res.end();
  } catch {
    // The handler itself answers every error; reaching here means the socket went away.
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end('{"error":{"code":"INTERNAL","message":"internal error"}}');
  }
}

function toRequest(req: IncomingMessage, hostname: string): Request {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? hostname}`);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const controller = new AbortController();
  req.once("close", () => {
    if (!req.complete) controller.abort();
  });
  return new Request(url, {
    method: req.method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: Readable.toWeb(req) as unknown as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}
