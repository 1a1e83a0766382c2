export { sessionAuth, type SessionVariables } from "./session-auth.js";
export type { SessionAuthOptions } from "../middleware/options.js";
export type { AuthenticatedSession } from "../middleware/session.js";
