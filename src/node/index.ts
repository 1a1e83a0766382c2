export { nodeListener } from "./listener.js";
export { remoteAddress } from "./peer.js";
export { serveNode } from "./serve.js";
export type { FetchHandler, NodeListenerOptions, NodeServer } from "./types.js";
