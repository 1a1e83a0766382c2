import type { StoredSession } from "./stored.js";

/**
 * The refresh margin: the configured one (at most half the lifetime, or every fresh token
 * would be refreshed at once, forever), else 60 s or 10% of the token's lifetime, whichever is
 * smaller, so a 30 s token is not refreshed the moment it arrives. (firebase refreshes 5 min
 * early, auth0 keeps > 60 s, supabase 90 s: DESIGN.md anchors.)
 */
export const refreshMargin = (session: StoredSession, configured: number | undefined): number =>
  Math.min(configured ?? 60_000, session.lifetime / (configured === undefined ? 10 : 2));

/**
 * Back-off after a retryable refresh failure: 1 s, 2 s, 4 s ... up to 60 s (supabase caches a
 * failed refresh for 60 s). While it lasts a still-valid token is served without another try.
 */
export const backoffDelay = (failures: number): number => Math.min(60_000, 500 * 2 ** failures) * (0.8 + Math.random() * 0.4);
