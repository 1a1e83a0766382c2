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
  UNSUPPORTED_MEDIA_TYPE: 415,
  // session lifecycle
  SESSION_INVALID: 401,
  SESSION_EXPIRED: 401,
  SESSION_REVOKED: 401,
  REFRESH_INVALID: 401,
  REFRESH_EXPIRED: 401,
  REFRESH_REUSED: 401,
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

export interface SessionErrorOptions {
  /** HTTP status; defaults to the code's usual status (0 when no response was received). */
  status?: number;
  /** The input field at fault, as a dotted path (`data.details.email`). */
  field?: string;
  cause?: unknown;
}

export class SessionError extends Error {
  override readonly name = "SessionError";
  readonly code: SessionErrorCode;
  readonly status: number;
  readonly field: string | undefined;

  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERROR_STATUS[code];
    this.field = options.field;
  }

  /** The JSON body the server sends for this error. */
  toJSON(): { error: { code: SessionErrorCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Works across realms and bundle copies, where `instanceof` does not. */
export function isSessionError(value: unknown): value is SessionError {
  return (
    value instanceof SessionError ||
    (typeof value === "object" &&
      value !== null &&
      (value as { name?: unknown }).name === "SessionError" &&
      typeof (value as { code?: unknown }).code === "string" &&
      (value as { code: string }).code in ERROR_STATUS)
  );
}

export function isErrorCode(value: unknown): value is SessionErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}
