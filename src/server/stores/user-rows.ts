import type { ProductEnv, StoredUser, UserList, UserQuery } from "./types.js";

/**
 * `listUsers` once for every store: the stores keep a user per product, env, tag and identifier
 * and each reads its rows of one product and env from its own index (bounded by `scanLimit`);
 * merging them into one row per identifier, filtering, ordering and paging happen here, so the
 * stores cannot disagree on them.
 */

/** A user as the stores keep it: one row per product, env and tag. */
export interface UserRow extends ProductEnv {
  tag: string;
  identifier: string;
  firstSeen: number;
  lastSeen: number;
  totalSessions: number;
  /** Read with the row only when every row needs it (`activeOnly`). */
  activeSessions?: number;
}

export interface UserRowReader {
  /**
   * At most `q.scanLimit` rows of one product and env: without `search` the most recently seen
   * first; with it, from the first identifier not before `search`, in identifier order (code
   * points), up to `prefixEnd(search)`. With `withActive`, each row's active sessions at `q.now`.
   */
  read(scope: ProductEnv, q: UserQuery, withActive: boolean): Promise<UserRow[]>;
  /** Active sessions at `now` of each row, in order. */
  activeOf(rows: UserRow[], now: number): Promise<number[]>;
}

interface Merged {
  user: StoredUser;
  rows: UserRow[];
}

export async function listMergedUsers(reader: UserRowReader, q: UserQuery): Promise<UserList> {
  const withActive = q.activeOnly === true;
  const read = await Promise.all(q.scopes.map((scope) => reader.read(scope, q, withActive)));
  // A product and env that filled its budget may hold more rows than were read.
  const truncated = read.some((rows) => rows.length >= q.scanLimit);
  const merged = new Map<string, Merged>();
  for (const row of read.flat()) {
    if ((q.tag !== undefined && row.tag !== q.tag) || (q.search !== undefined && !row.identifier.startsWith(q.search))) continue;
    const active = row.activeSessions ?? 0;
    const found = merged.get(row.identifier);
    if (!found) {
      merged.set(row.identifier, {
        user: { identifier: row.identifier, firstSeen: row.firstSeen, lastSeen: row.lastSeen, totalSessions: row.totalSessions, activeSessions: active },
        rows: [row],
      });
      continue;
    }
    const { user } = found;
    user.firstSeen = Math.min(user.firstSeen, row.firstSeen);
    user.lastSeen = Math.max(user.lastSeen, row.lastSeen);
    user.totalSessions += row.totalSessions;
    user.activeSessions += active;
    found.rows.push(row);
  }
  // The identifier breaks ties, so that pages do not overlap or skip users seen in the same millisecond.
  const all = [...merged.values()]
    .filter((m) => !withActive || m.user.activeSessions > 0)
    .sort((a, b) => b.user.lastSeen - a.user.lastSeen || (a.user.identifier < b.user.identifier ? -1 : a.user.identifier > b.user.identifier ? 1 : 0));
  const page = all.slice(q.offset, q.offset + q.limit);
  if (!withActive) {
    // Only the page's users need their sessions counted.
    const rows = page.flatMap((m) => m.rows);
    const counts = rows.length ? await reader.activeOf(rows, q.now) : [];
    let i = 0;
    for (const m of page) for (const _row of m.rows) m.user.activeSessions += counts[i++] ?? 0;
  }
  return { total: all.length, users: page.map((m) => m.user), truncated };
}

/**
 * The least string above every string that starts with `prefix`, in code point order (which is
 * UTF-8 byte order: SQLite's BINARY collation, PostgreSQL's "C", Deno KV's keys); undefined when
 * there is none (a prefix of U+10FFFF only). Identifiers hold no lone surrogates (fields.ts).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join("") + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

/** Code point order (not UTF-16's): the order of the stores' identifier indexes. */
export const byCodePoint = (a: string, b: string): number => {
  const x = [...a], y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
};
