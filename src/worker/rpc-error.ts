import { ERROR_STATUS, SessionError, type SessionErrorCode } from "../shared/errors.js";

/**
 * Workers RPC carries an Error's message across the binding, not its other fields, so the
 * entrypoint throws `"<CODE>: <message>"`. This turns such an error back into a SessionError
 * with its code and usual status; anything else gives null.
 */
export function sessionErrorFromRpc(error: unknown): SessionError | null {
  if (!(error instanceof Error)) return null;
  const match = /^([A-Z][A-Z_]{2,40}): ([\s\S]*)$/.exec(error.message);
  if (!match || !(match[1]! in ERROR_STATUS)) return null;
  const code = match[1] as SessionErrorCode;
  // The status is named here: the app Worker loads no server module, so no default table is in use.
  return new SessionError(code, match[2]!, { cause: error, status: ERROR_STATUS[code] });
}

/** The entrypoint's side: a SessionError as an Error whose message keeps the code. */
export function rpcError(error: unknown): Error {
  if (!(error instanceof SessionError)) return error instanceof Error ? error : new Error(String(error));
  return new Error(`${error.code}: ${error.message}`);
}
