export { createSessionsEntrypoint, type SessionsEntrypoint, type SessionsRpc } from "./entrypoint.js";
export { sessionErrorFromRpc } from "./rpc-error.js";
