import type { ActivityRecord } from "../stores/types.js";

/**
 * Why a failed refresh or verify failed, read from the activity message the handlers write
 * (handlers/refresh.ts, handlers/verify.ts). test/server/stats.test.ts drives each failure
 * through the endpoint and checks its reason here, so a reworded message cannot drift unseen.
 */
export function failureReason(e: Pick<ActivityRecord, "operation" | "message">): string {
  if (e.operation === "verify") return /^token invalid: (\w+)/.exec(e.message)?.[1] ?? "other";
  if (e.operation === "refresh") {
    if (e.message.startsWith("reuse of a rotated refresh token")) return "reuse";
    if (e.message === "refresh of a revoked session") return "revoked";
    if (e.message === "refresh token expired") return "expired";
    if (e.message.startsWith("the session reached its maximum lifetime")) return "max_lifetime";
  }
  return "other";
}
