import type { StatsBucket, StatsCounts } from "../../shared/protocol.js";
import { failureReason } from "./classify.js";
import type { ActivityRecord } from "../stores/types.js";

export const emptyCounts = (): StatsCounts => ({
  starts: 0,
  refreshes: 0,
  verifies: { valid: 0, invalid: {} },
  revokes: 0,
  reuseDetections: 0,
  actions: {},
  failures: {},
});

const bump = (map: Record<string, number>, key: string) => void (map[key] = (map[key] ?? 0) + 1);

/** Adds one event to `c`. Failures are keyed `<operation>:<reason>` (docs/protocol.md). */
export function count(c: StatsCounts, e: ActivityRecord): void {
  if (e.status === "fail") bump(c.failures, `${e.operation}:${failureReason(e)}`);
  switch (e.operation) {
    case "create":
      if (e.status === "success") c.starts++;
      break;
    case "refresh":
      if (e.status === "success") c.refreshes++;
      else if (failureReason(e) === "reuse") c.reuseDetections++;
      break;
    case "verify":
      if (e.status === "success") c.verifies.valid++;
      else bump(c.verifies.invalid, failureReason(e));
      break;
    case "revoke":
      if (e.status === "success") c.revokes++;
      break;
    case "track":
      bump(c.actions, e.action ?? "(none)");
      break;
  }
}

/**
 * Every bucket of [from, to) (aligned on multiples of `bucketMs` since the epoch, so charts of
 * one range line up across calls), with the events counted into theirs, oldest bucket first.
 */
export function bucketize(events: ActivityRecord[], from: number, to: number, bucketMs: number): { buckets: StatsBucket[]; totals: StatsCounts; distinctUsers: number } {
  const first = Math.floor(from / bucketMs) * bucketMs;
  const buckets: StatsBucket[] = [];
  for (let start = first; start < to; start += bucketMs) buckets.push({ start: new Date(start).toISOString(), ...emptyCounts() });
  const totals = emptyCounts();
  const users = new Set<string>();
  for (const e of events) {
    const bucket = buckets[Math.floor((e.startAt - first) / bucketMs)];
    if (!bucket) continue;
    count(bucket, e);
    count(totals, e);
    users.add(JSON.stringify([e.tag, e.identifier]));
  }
  return { buckets, totals, distinctUsers: users.size };
}
