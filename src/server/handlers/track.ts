import { invalidArgument, SessionError } from "../../shared/errors.js";
import type { Handler } from "../context.js";
import { recordActivity } from "../activity.js";
import { checkSession } from "../check-session.js";
import { requireKeyScope } from "../http/access.js";
import { requireString } from "../http/fields.js";
import { readJsonBody } from "../http/read-body.js";
import { json } from "../http/respond.js";
import { requireTokenProof } from "../dpop/binding.js";
import { boundedJson } from "../data-bounds.js";
import { presentedSessionToken } from "../http/session-header.js";

const WEEK_MS = 7 * 86_400_000;
/** Clock skew a client may have; later than that is not "when it happened". */
const SKEW_MS = 60_000;

/** `at`: when the action happened, for clients that queue actions while offline. */
function readAt(value: unknown, now: number): number {
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw invalidArgument("at", "must be an ISO 8601 date-time");
  if (ms > now + SKEW_MS || ms < now - WEEK_MS) throw invalidArgument("at", "must be within the last 7 days, not in the future");
  return Math.min(ms, now);
}

const REASON_CODE = { expired: "SESSION_EXPIRED", revoked: "SESSION_REVOKED" } as const;

/**
 * POST /v1/sessions/track `{ action, data?, at? }`: records an action in the session's timeline.
 * The session token is the credential: `Authorization: Session <tag>:<jwt>`. A caller whose
 * Authorization holds an access key sends the session in `X-Session-Token` instead.
 */
export const trackAction: Handler = async (server, { request, caller }) => {
  const token = presentedSessionToken(request);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const action = requireString(body, "action", 128);
  // Bounded before it is stored: whatever is stored must serialise again when the timeline is read.
  const data = body.data === undefined ? undefined : boundedJson(body.data, "data");
  const now = server.now();
  const startAt = body.at === undefined ? now : readAt(body.at, now);
  const check = await checkSession(server, token);
  if (!check.valid) {
    const code = REASON_CODE[check.reason as keyof typeof REASON_CODE] ?? "SESSION_INVALID";
    throw new SessionError(code, `the session token is not valid (${check.reason})`);
  }
  await requireTokenProof(server, request, check.claims, token);
  const { session } = check;
  // An access key sent alongside (X-Session-Token) must reach the session's product and env.
  requireKeyScope(caller, session.product, session.env);
  // A token of a product or tag since removed from the config no longer tracks.
  if (!server.products.get(session.product)?.sessions.has(session.tag)) {
    throw new SessionError("SESSION_INVALID", "the session's product or tag is no longer configured");
  }
  // Counted and written under the session's lock: the next track of this session reads the
  // usage only once this event is written (the activity queue flushes before trackUsage), so
  // concurrent tracks cannot all pass one count. Exact within a process; see SECURITY.md.
  await server.trackLock(session.id, async () => {
    const usage = await server.store.trackUsage(session);
    if (usage.events >= server.trackLimits.events || usage.dataLength + (data?.length ?? 0) > server.trackLimits.dataLength) {
      throw new SessionError("TRACK_LIMIT_REACHED", `this session has tracked its limit (${server.trackLimits.events} events, ${server.trackLimits.dataLength} characters of data); start a new session`);
    }
    await recordActivity(server, {
      product: session.product,
      env: session.env,
      tag: session.tag,
      operation: "track",
      status: "success",
      startAt,
      message: `tracked ${action}`,
      sessionId: session.id,
      identifier: session.identifier,
      action,
      ...(data !== undefined ? { data } : {}),
    });
  });
  return json(202, { accepted: true });
};
