export { createClient, type TesseraClient } from "./client/client.js";
export { dpopKey, type DpopKey, type DpopKeyOptions } from "./client/dpop.js";
export type {
  ClientOptions, ScopeArgs, Session, SessionChange, ChangeListener, EndReason, Sessions, RevokeArgs, Users,
} from "./client/types.js";
export { SessionError, isSessionError, ERROR_STATUS, type SessionErrorCode } from "./shared/errors.js";
export type * from "./shared/protocol.js";
export type { SessionStorage } from "./storage/types.js";
