import type { IncomingMessage, ServerResponse } from "node:http";
import { rememberPeer } from "./peer.js";
import { bodyInit, bodyStream, headersOf, readBuffered } from "./request.js";
import { writeResponse } from "./response.js";
import { CARRIED_METHODS, isRefusal, refuseMethod, requestUrl, urlHost, type Refusal } from "./target.js";
import type { FetchHandler, NodeListenerOptions } from "./types.js";

// Written by hand, not thrown: the handler answers its own errors, so this only covers a
// handler that throws or a response that fails mid-stream. Names no detail (no token leaks).
const INTERNAL = '{"error":{"code":"INTERNAL","message":"internal error"}}';

/** Bodies up to this size are read whole before the handler runs (request.ts, "buffered"). */
const DEFAULT_MAX_BUFFERED = 65_536;

/**
 * A `node:http` request listener serving a fetch handler: mount the endpoint in your own
 * server, `createServer(nodeListener(server.fetch))`, or in Express/Connect,
 * `app.use("/v1", nodeListener(server.fetch))` before any body parser (the full path from
 * `req.originalUrl` is routed). `serveNode` is this listener plus `listen`.
 */
export function nodeListener(
  handler: FetchHandler,
  options: NodeListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBuffered = options.maxBufferedBodyBytes ?? DEFAULT_MAX_BUFFERED;
  return (req, res) => void handle(handler, req, res, options, maxBuffered);
}

async function handle(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, options: NodeListenerOptions, maxBuffered: number) {
  // Writing to a socket the client reset must not raise an unhandled 'error'.
  res.on("error", () => {});
  const method = req.method ?? "GET";
  // Express and Connect strip their mount path from `req.url` and keep the full one in
  // `originalUrl`; the endpoint routes on full paths (/v1/..., /.well-known/...).
  const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  const refusedMethod = refuseMethod(method);
  if (refusedMethod) return refuse(req, res, refusedMethod, target, options);
  const fallback = options.hostname ?? req.socket.localAddress ?? "localhost";
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const url = requestUrl(target, req.headers.host, urlHost(fallback), scheme);
  if (isRefusal(url)) return refuse(req, res, url, target, options);

  const controller = new AbortController();
  // The client went away before the answer was written: tell the handler (Request.signal).
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  let discard = () => {};
  try {
    const init: RequestInit & { duplex?: "half" } = { method, headers: headersOf(req), signal: controller.signal };
    const body = bodyInit(req, maxBuffered);
    if (body.kind === "parsed") {
      init.body = body.body;
      (init.headers as Headers).delete("content-length"); // re-serialised: the original length no longer applies
    } else if (body.kind === "buffer") {
      try {
        const bytes = await readBuffered(req, body.length);
        init.body = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as BodyInit;
      } catch {
        return void res.destroy(); // the client left mid-upload: nobody to answer
      }
    } else if (body.kind === "stream") {
      const streamed = bodyStream(req);
      init.body = streamed.stream;
      init.duplex = "half"; // a streamed request body (fetch spec); required by Node's Request
      discard = streamed.discard;
    }
    const request = new Request(url, init);
    rememberPeer(request, req);
    const response = await handler(request);
    // Whatever the handler left unread is dropped once the answer is out, so the client can
    // finish sending and read it, and the keep-alive connection stays usable.
    res.once("finish", discard);
    await writeResponse(response, res, method);
  } catch {
    discard();
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(INTERNAL);
  }
}

/** Answers a request that cannot become a fetch Request, tells `onRefused`, drains the body. */
function refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal, target: string, options: NodeListenerOptions): void {
  const { status, code, message, field } = refusal;
  const body = JSON.stringify({ error: { code, message, ...(field ? { field } : {}) } });
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
  if (status === 405) headers.allow = CARRIED_METHODS;
  // A refused request's body is not read: the connection cannot be reused safely.
  if (!req.readableEnded) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
  req.on("error", () => {});
  req.resume();
  try {
    // The path only, cut at "?": a query may name an identifier or carry a token.
    options.onRefused?.({ method: req.method ?? "", path: target.split("?")[0]!.slice(0, 200), status, code });
  } catch {
    // A failing logger must not fail the answer.
  }
}
