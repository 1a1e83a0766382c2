import { invalidArgument, SessionError } from "../shared/errors.js";
import type { SessionTokens } from "../shared/protocol.js";
import type { ServerContext } from "./context.js";
import { open, seal, sha256Base64url } from "./tokens/primitives.js";

/** How long an Idempotency-Key is remembered (issue 3 §5). */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentStart {
  /** The stored key: the caller's key fingerprint and the header, hashed (scoped per access key). */
  storeKey: string;
  bodyHash: string;
}

/** Reads `Idempotency-Key`; null when absent. */
export function idempotencyOf(request: Request, fingerprint: string, body: unknown): IdempotentStart | null {
  const header = request.headers.get("idempotency-key");
  if (header === null) return null;
  if (!KEY_FORMAT.test(header)) {
    throw invalidArgument("Idempotency-Key", "must be 1-255 visible ASCII characters");
  }
  return {
    storeKey: sha256Base64url(`${fingerprint}\n${header}`),
    bodyHash: sha256Base64url(canonicalJson(body)),
  };
}

/**
 * Claims the key. Returns null when this request owns it; otherwise the first answer
 * (same body) or throws 409 (other body, still running, or a session that has moved on).
 */
export async function replayOrClaim(server: ServerContext, idem: IdempotentStart, now: number): Promise<SessionTokens | null> {
  const existing = await server.store.claimIdempotency({
    key: idem.storeKey,
    bodyHash: idem.bodyHash,
    expiresAt: now + IDEMPOTENCY_TTL_MS,
    now,
  });
  if (!existing) return null;
  if (existing.bodyHash !== idem.bodyHash) {
    throw new SessionError("IDEMPOTENCY_CONFLICT", "this Idempotency-Key was used with another body");
  }
  if (!existing.sessionId || !existing.sealedResponse) {
    throw new SessionError("IDEMPOTENCY_CONFLICT", "a request with this Idempotency-Key is still in progress; retry shortly");
  }
  const session = await server.store.getSession(existing.sessionId);
  // The stored refresh token is only still good while the session has not rotated: replaying
  // a rotated one would make the client trip reuse detection and lose the session.
  if (!session || session.revokedAt !== null || session.generation !== 0) {
    throw new SessionError("IDEMPOTENCY_CONFLICT", "the session created with this Idempotency-Key has since been refreshed or revoked");
  }
  const plain = await open(await server.idempotencyKey(), existing.sealedResponse, idem.storeKey);
  if (plain === null) throw new Error("stored idempotent answer does not open");
  return JSON.parse(plain) as SessionTokens;
}

/** Seals the first answer (it holds a refresh token) under the server's idempotency key. */
export async function completeIdempotent(server: ServerContext, idem: IdempotentStart, tokens: SessionTokens): Promise<void> {
  const sealed = await seal(await server.idempotencyKey(), JSON.stringify(tokens), idem.storeKey);
  await server.store.completeIdempotency(idem.storeKey, tokens.sessionId, sealed);
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` are the same body. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

