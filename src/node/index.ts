export { nodeListener } from "./listener.js";
export { serveNode } from "./serve.js";
export type { FetchHandler, NodeListenerOptions, NodeServer } from "./types.js";
