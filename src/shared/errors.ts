/**
 * The one error class of tessera. `code` is stable and documented (docs/errors.md);
 * messages are for humans and never contain a token, refresh token, key or secret.
 */
export const ERROR_STATUS = {
  // caller mistakes
  INVALID_ARGUMENT: 400,
  INVALID_JSON: 400,
  INVALID_CONFIG: 500,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  ENV_NOT_FOUND: 404,
  TAG_NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TRACK_LIMIT_REACHED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // session lifecycle
  SESSION_INVALID: 401,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  REFRESH_INVALID: 401,
  REFRESH_EXPIRED: 401,
  REFRESH_REUSED: 401,
  // sender-constrained sessions (RFC 9449)
  DPOP_REQUIRED: 401,
  DPOP_INVALID: 401,
  DPOP_NONCE: 401,
  CREATE_FAILED: 500,
  VERIFY_FAILED: 500,
  REFRESH_FAILED: 500,
  // transport and client-side
  NETWORK_ERROR: 0,
  TIMEOUT: 0,
  SERVER_ERROR: 502,
  STORAGE_ERROR: 0,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type SessionErrorCode = keyof typeof ERROR_STATUS;

/**
 * Defined (as `true`) only by the script-tag build (tsup.config.ts): that bundle holds no server,
 * and every error the browser client creates names its status, so a SessionError constructed in
 * a page without `status` has status 0 there, whatever else was loaded.
 */
declare const TESSERA_SCRIPT_TAG: true | undefined;

let documented: Readonly<Record<string, number>> | undefined;

/**
 * Makes ERROR_STATUS the default status of every SessionError created without one. The server
 * side calls it where it loads (createSessionServer, verifySessionToken, keysFromEnv,
 * resolveSessionInput): its errors are thrown by code. The client names every status itself,
 * so a web app's bundle, which never calls this, leaves the table out (about 290 B gzipped of
 * the ESM client bundle, measured with esbuild --minify).
 */
export function useDocumentedStatuses(): void {
  documented = ERROR_STATUS;
}

export interface SessionErrorOptions {
  /**
   * HTTP status; defaults to the code's usual status (0 when no response was received; always 0
   * in the script-tag build).
   */
  status?: number;
  /** The input field at fault, as a dotted path (`data.details.email`). */
  field?: string;
  cause?: unknown;
}

export class SessionError extends Error {
  override readonly name = "SessionError";
  // `declare`: assigned once in the constructor, so no field initialisers are emitted for them.
  declare readonly code: SessionErrorCode;
  declare readonly status: number;
  declare readonly field: string | undefined;

  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    // Error reads only `cause` from its options, and installs it only when present.
    super(message, options.cause === undefined ? undefined : options);
    this.code = code;
    this.status = options.status ?? (typeof TESSERA_SCRIPT_TAG === "undefined" ? (documented?.[code] ?? 0) : 0);
    this.field = options.field;
  }

  /** The JSON body the server sends for this error. */
  toJSON(): { error: { code: SessionErrorCode; message: string; field?: string } } {
    // JSON leaves out an undefined `field`.
    return { error: { code: this.code, message: this.message, field: this.field } };
  }
}

/**
 * What a code looks like. The client keeps a server's code on its shape alone, so a browser
 * bundle carries no list of codes, and a code added by a newer server reaches the app as sent
 * rather than collapsed into a generic one. TypeScript still sees the closed union.
 */
export const isErrorCode = (value: unknown): value is SessionErrorCode => typeof value === "string" && /^[A-Z][A-Z_]{2,40}$/.test(value);

/** Works across realms and bundle copies, where `instanceof` does not. */
export const isSessionError = (value: unknown): value is SessionError =>
  value instanceof SessionError || ((value as SessionError | null)?.name === "SessionError" && isErrorCode((value as SessionError).code));

/**
 * A caller mistake in one field: the client's checks before anything is sent or stored (issue 2,
 * Behaviour 1) and the server's checks of bodies, queries and data. The status is given, not
 * looked up, for the script-tag build's sake (TESSERA_SCRIPT_TAG). `problem` must not echo the
 * value: a field may hold a token.
 */
export const invalidArgument = (field: string, problem: string): SessionError =>
  new SessionError("INVALID_ARGUMENT", `${field} ${problem}`, { field, status: 400 });
