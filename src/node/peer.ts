import type { IncomingMessage } from "node:http";

// Keyed by the Request object itself, so nothing is added to the Request (its headers are the
// client's to write) and an entry goes away with the Request it describes.
const peers = new WeakMap<Request, string>();

/** Called by nodeListener for every Request it builds. */
export function rememberPeer(request: Request, req: IncomingMessage): void {
  const address = req.socket.remoteAddress;
  if (address) peers.set(request, address);
}

/**
 * The IP address of the socket a Request served by `nodeListener`/`serveNode` arrived on, as
 * Node reports it (`127.0.0.1`, `::1`, `::ffff:192.0.2.7`); `undefined` for any other Request.
 * Unlike `Host`, `Origin` or an absolute-form target, a header cannot change it, so it is what
 * decides "is this caller on this machine".
 */
export function remoteAddress(request: Request): string | undefined {
  return peers.get(request);
}
