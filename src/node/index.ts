export { nodeListener } from "./listener.js";
export { remoteAddress } from "./peer.js";
export { serveNode, type ServeNodeOptions } from "./serve.js";
export type { FetchHandler, NodeListenerOptions, NodeServer, RefusedRequest } from "./types.js";
