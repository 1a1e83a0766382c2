import { KEYS, type KvLike } from "./deno-kv-keys.js";
import type { StoredUser, UserList, UserQuery } from "./types.js";
import { listMergedUsers, prefixEnd, type UserRow } from "./user-rows.js";

/** A user record of the Deno KV store: one per product, env, tag and identifier. */
export type UserRecord = Omit<StoredUser, "activeSessions">;

type Atomic = ReturnType<KvLike["atomic"]>;

/**
 * Adds to a user's write the index entries that follow it (one atomic operation): its entry
 * under its last-seen time, moved when that changes, and, for a new user, its identifier entry.
 */
export function indexUser(op: Atomic, at: { product: string; env: string; tag: string; identifier: string }, before: UserRecord | null, after: UserRecord): void {
  const { product, env, tag, identifier } = at;
  if (before && before.lastSeen !== after.lastSeen) op.delete(KEYS.userSeen(product, env, before.lastSeen, tag, identifier));
  op.set(KEYS.userSeen(product, env, after.lastSeen, tag, identifier), after);
  if (!before) op.set(KEYS.userId(product, env, identifier, tag), true);
}

/**
 * The Deno KV store's users list (user-rows.ts merges): per product and env, at most
 * `scanLimit` entries of the last-seen index read newest first, or of the identifier index
 * from the search prefix on. `activeOf` counts a row's active sessions.
 */
export function denoKvUsers(kv: KvLike, activeOf: (row: UserRow, now: number) => Promise<number>): (q: UserQuery) => Promise<UserList> {
  /**
   * Users written before the two indexes existed get their entries once, on the first users
   * list (a one-time walk of every user, like a SQL migration). Each entry is written only if
   * the user is unchanged since read: a concurrent write indexes it itself.
   */
  let indexed = false;
  const indexOldUsers = async () => {
    if (indexed || (indexed = (await kv.get(KEYS.usersIndexed)).value === true)) return;
    for await (const entry of kv.list({ prefix: KEYS.userAll })) {
      const u = entry.value as UserRecord | null;
      if (!u) continue;
      const [, , product, env, tag] = entry.key as string[];
      await kv.atomic().check(entry).set(KEYS.userSeen(product!, env!, u.lastSeen, tag!, u.identifier), u).commit();
      await kv.set(KEYS.userId(product!, env!, u.identifier, tag!), true);
    }
    await kv.set(KEYS.usersIndexed, true);
    indexed = true;
  };

  const read = async ({ product, env }: { product: string; env: string }, query: UserQuery): Promise<UserRow[]> => {
    const rows: UserRow[] = [];
    if (query.search === undefined) {
      // The most recently seen first: the index's keys sort by last seen.
      for await (const entry of kv.list({ prefix: KEYS.userSeenPrefix(product, env) }, { reverse: true, limit: query.scanLimit })) {
        const u = entry.value as UserRecord | null;
        if (u) rows.push({ product, env, tag: String(entry.key[5]), ...u });
      }
      return rows;
    }
    const prefix = KEYS.userIdPrefix(product, env);
    const start = [...prefix, query.search];
    const end = prefixEnd(query.search);
    const found: { identifier: string; tag: string }[] = [];
    for await (const entry of kv.list(end === undefined ? { prefix, start } : { start, end: [...prefix, end] }, { limit: query.scanLimit })) {
      found.push({ identifier: String(entry.key[4]), tag: String(entry.key[5]) });
    }
    // getMany takes at most 10 keys.
    for (let i = 0; i < found.length; i += 10) {
      const slice = found.slice(i, i + 10);
      const entries = await kv.getMany(slice.map((f) => KEYS.user(product, env, f.tag, f.identifier)));
      entries.forEach((entry, j) => {
        const u = entry.value as UserRecord | null;
        if (u) rows.push({ product, env, tag: slice[j]!.tag, ...u });
      });
    }
    return rows;
  };

  return async (q) => {
    await indexOldUsers();
    return listMergedUsers({
      async read(scope, query, withActive) {
        const rows = await read(scope, query);
        if (withActive) for (const row of rows) row.activeSessions = await activeOf(row, query.now);
        return rows;
      },
      async activeOf(rows, now) {
        const counts: number[] = [];
        for (const row of rows) counts.push(await activeOf(row, now));
        return counts;
      },
    }, q);
  };
}
