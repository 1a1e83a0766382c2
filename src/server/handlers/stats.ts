import { invalidArgument } from "../../shared/errors.js";
import type { StatsResult } from "../../shared/protocol.js";
import type { Handler } from "../context.js";
import { requireSecretKey } from "../http/access.js";
import { queryObject, readTime } from "../http/fields.js";
import { json } from "../http/respond.js";
import { resolveProductEnv, resolveScope } from "../scope.js";
import { bucketize } from "../stats/aggregate.js";

/**
 * Hard caps per request (docs/protocol.md "Stats"): the stores read at most SCAN_LIMIT events,
 * newest first, from their (product, env, time) index, and count at most ACTIVE_LIMIT active
 * sessions. A range busier than that answers `truncated: true` (its oldest part is missing).
 */
export const SCAN_LIMIT = 50_000;
export const ACTIVE_LIMIT = 100_000;
const MAX_BUCKETS = 1_000;
const MAX_RANGE_MS = 92 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** GET /v1/stats?product&env&tag?&from?&to?&bucket?: counts per time bucket. Secret keys only. */
export const stats: Handler = async (server, { url, caller }) => {
  requireSecretKey(caller);
  const query = queryObject(url.searchParams);
  const { product, env } = resolveProductEnv(server, query, caller);
  const tag = query.tag === undefined ? undefined : resolveScope(server, query, caller).scope.tag;
  const now = server.now();
  // By default up to now, inclusive (`to` is exclusive).
  const to = readTime(url.searchParams, "to") ?? now + 1;
  const from = readTime(url.searchParams, "from") ?? to - 86_400_000;
  if (!(from < to)) throw invalidArgument("from", "must be before to");
  if (to - from > MAX_RANGE_MS) throw invalidArgument("from", "the range may span at most 92 days");
  const bucketMs = readBucket(url.searchParams.get("bucket"), to - from);
  if ((to - from) / bucketMs > MAX_BUCKETS) throw invalidArgument("bucket", `is too small for the range (at most ${MAX_BUCKETS} buckets)`);

  const scope = { product, env, ...(tag !== undefined ? { tag } : {}) };
  const [{ events, scanned }, activeSessions] = await Promise.all([
    server.store.scanActivity({ ...scope, from, to, limit: SCAN_LIMIT }),
    server.store.countActiveSessions({ ...scope, now, limit: ACTIVE_LIMIT }),
  ]);
  const { buckets, totals, distinctUsers } = bucketize(events, from, to, bucketMs);
  const result: StatsResult = {
    product,
    env,
    ...(tag !== undefined ? { tag } : {}),
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucketSeconds: bucketMs / 1000,
    activeSessions,
    distinctUsers,
    scanned,
    truncated: scanned >= SCAN_LIMIT,
    totals,
    buckets,
  };
  return json(200, result);
};

/** `bucket` as `<n>m`, `<n>h` or `<n>d`; by default about 24 to 48 buckets over the range. */
function readBucket(raw: string | null, range: number): number {
  if (raw === null || raw === "") {
    const fits = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
    return fits.find((ms) => range / ms <= 48) ?? 86_400_000;
  }
  const match = /^([1-9]\d{0,3})([mhd])$/.exec(raw);
  if (!match) throw invalidArgument("bucket", 'must be like "5m", "1h" or "1d"');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
