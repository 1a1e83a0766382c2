export { startCluster, type ClusterOptions, type ClusterPrimary } from "./cluster.js";
export { nodeListener } from "./listener.js";
export { remoteAddress } from "./peer.js";
export { serveNode, type ServeNodeOptions } from "./serve.js";
export type { ClusterLog, FetchHandler, NodeListenerOptions, NodeServer, RefusedRequest } from "./types.js";
