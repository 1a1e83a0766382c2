import type { IncomingMessage, ServerResponse } from "node:http";
import { rememberPeer } from "./peer.js";
import { toRequest } from "./request.js";
import { writeResponse } from "./response.js";
import type { FetchHandler, NodeListenerOptions } from "./types.js";

// Written by hand, not thrown: the handler answers its own errors, so this only covers a
// handler that throws or a response that fails mid-stream. Names no detail (no token leaks).
const INTERNAL = '{"error":{"code":"INTERNAL","message":"internal error"}}';

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
  return (req, res) => void handle(handler, req, res, options);
}

async function handle(handler: FetchHandler, req: IncomingMessage, res: ServerResponse, options: NodeListenerOptions) {
  const controller = new AbortController();
  // The client went away before the answer was written: tell the handler (Request.signal).
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  // Writing to a socket the client reset must not raise an unhandled 'error'.
  res.on("error", () => {});
  const fallbackHost = options.hostname ?? req.socket.localAddress ?? "localhost";
  let discard = () => {};
  try {
    const converted = toRequest(req, controller.signal, fallbackHost.includes(":") ? `[${fallbackHost}]` : fallbackHost);
    discard = converted.discard;
    rememberPeer(converted.request, req);
    const response = await handler(converted.request);
    // Whatever the handler left unread is dropped once the answer is out, so the client can
    // finish sending and read it, and the keep-alive connection stays usable.
    res.once("finish", discard);
    await writeResponse(response, res, req.method);
  } catch {
    discard();
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
    res.end(INTERNAL);
  }
}
