import type { SessionScope, SessionTokens } from "../shared/protocol.js";
import { fromBase64url } from "../storage/lenient-base64url.js";
import type { Session } from "./types.js";

/** What is kept under `tessera:<product>:<env>:<tag>` (JSON; ciphertext through encryptedStorage). */
export interface StoredSession extends Session {
  v: 1;
  /**
   * Client clock minus server clock, measured from the JWT's `iat` when the tokens arrived,
   * so expiry checks stay right on a device whose clock is wrong.
   */
  skew: number;
  /** Token lifetime in ms (`exp - iat`), for the "10% of the lifetime" margin. */
  lifetime: number;
}

export type Scope = SessionScope;

/** The string fields of a start or refresh answer (protocol.ts SessionTokens). */
export const TOKEN_FIELDS = ["token", "refreshToken", "expiresAt", "refreshExpiresAt", "sessionId"] as const;

export const hasTokens = (value: unknown): value is SessionTokens =>
  TOKEN_FIELDS.every((field) => typeof (value as Record<string, unknown>)?.[field] === "string");

export const scopeOf = ({ product, env, tag }: Scope): Scope => ({ product, env, tag });

export const storageKey = ({ product, env, tag }: Scope): string => `tessera:${product}:${env}:${tag}`;

/** Builds the stored form from a start/refresh answer received at `receivedAt` (client clock). */
export function toStored(scope: Scope, tokens: SessionTokens, receivedAt: number): StoredSession {
  const expires = Date.parse(tokens.expiresAt);
  let issued = receivedAt;
  try {
    // `iat` of the JWT inside "<tag>:<jwt>", read without verifying: used only for timing.
    const iat = JSON.parse(new TextDecoder().decode(fromBase64url(tokens.token.split(".")[1]!))).iat * 1000;
    if (iat < expires) issued = iat;
  } catch {
    // not a JWT we can read: trust our own clock
  }
  // `iat` has one-second resolution and the answer took a network trip: offsets under a few
  // seconds are noise, and only a clock that is really off is corrected for.
  const skew = Math.abs(receivedAt - issued) < 5_000 ? 0 : receivedAt - issued;
  const fields = Object.fromEntries(TOKEN_FIELDS.map((field) => [field, tokens[field]])) as unknown as SessionTokens;
  return { v: 1, ...scopeOf(scope), ...fields, skew, lifetime: expires - issued };
}

/** Expiry instants on the client's clock. */
export const localExpiry = (s: StoredSession) => ({
  token: Date.parse(s.expiresAt) + s.skew,
  refresh: Date.parse(s.refreshExpiresAt) + s.skew,
});

/** The public view handed to the app (no bookkeeping fields). */
export function toPublic(session: StoredSession): Session {
  const { v: _v, skew: _skew, lifetime: _lifetime, ...rest } = session;
  return rest;
}

/** Parses a stored record for `scope`; anything unexpected is `undefined` (read as "no session"). */
export function parseStored(text: string, scope: Scope): StoredSession | undefined {
  try {
    const s = JSON.parse(text) as StoredSession;
    const expiry = localExpiry(s);
    if (s.v === 1 && storageKey(s) === storageKey(scope) && hasTokens(s) && expiry.token > 0 && expiry.refresh > 0 && s.lifetime >= 0) return s;
  } catch {
    // not JSON
  }
}
