import type { SessionTokens } from "../shared/protocol.js";
import { addPeriod } from "./config/period.js";
import type { SessionConfig } from "./config/types.js";
import type { ServerContext } from "./context.js";
import { newRefreshToken } from "./tokens/refresh-token.js";
import { issueSessionToken, type TokenSubject } from "./tokens/session-token.js";

/**
 * A fresh session token and refresh token for `subject`, with the config's lifetimes from
 * `now`, neither outliving the session's absolute end (`maxLifetime` from `startedAt`).
 */
export async function issuePair(
  server: ServerContext,
  config: SessionConfig,
  subject: TokenSubject,
  now: number,
  startedAt = now,
): Promise<{ tokens: SessionTokens; refreshExpiresAt: number }> {
  const end = sessionEnd(config, startedAt);
  const expiresAt = Math.min(addPeriod(now, config.expiry.amount, config.expiry.period), end);
  const refreshExpiresAt = Math.min(addPeriod(now, config.refresh.amount, config.refresh.period), end);
  const token = await issueSessionToken(server.keyring, server.issuer, subject, now, expiresAt);
  return {
    refreshExpiresAt,
    tokens: {
      token,
      refreshToken: newRefreshToken(config.tag),
      // Whole seconds, as in the token's exp claim.
      expiresAt: new Date(Math.floor(expiresAt / 1000) * 1000).toISOString(),
      refreshExpiresAt: new Date(refreshExpiresAt).toISOString(),
      sessionId: subject.sessionId,
    },
  };
}

/** When a session started at `startedAt` must end whatever its refreshes; Infinity without maxLifetime. */
export function sessionEnd(config: SessionConfig, startedAt: number): number {
  return config.maxLifetime ? addPeriod(startedAt, config.maxLifetime.amount, config.maxLifetime.period) : Infinity;
}
