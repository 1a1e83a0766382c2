import { SessionError } from "../shared/errors.js";
import type { SessionTokens } from "../shared/protocol.js";
import { checkTokens, type Api } from "./api.js";
import type { Emitter } from "./events.js";
import { endReasonFor } from "./http-errors.js";
import type { NormalizedOptions } from "./options.js";
import { backoffDelay, refreshMargin } from "./policy.js";
import { backgroundTimer } from "./runtime.js";
import { localExpiry, parseStored, scopeOf, storageKey, toPublic, toStored, type Scope, type StoredSession } from "./stored.js";
import type { SessionEvent, TabSync } from "./tab-sync.js";
import type { EndReason, SessionChange } from "./types.js";

/**
 * The refresh lifecycle (issue 2, Behaviour 4) over the configured storage: single-flight per
 * (product, env, tag), a commit guard, proactive refresh inside the margin, back-off that keeps
 * a still-valid session, only authoritative answers ending it, and every change announced to
 * the app and (when local) to other tabs. Storage failures never throw: a failing or unreadable
 * record is "no session" plus an error event (Behaviour 3).
 */
export function createLifecycle(options: NormalizedOptions, { call, retry }: Api, events: Emitter) {
  const { now, storage } = options;
  const flights = new Map<string, Promise<StoredSession | null>>();
  const timers = new Map<string, () => void>();
  const known = new Map<string, Scope>();
  const failures = new Map<string, [count: number, until: number]>();
  let sync: TabSync | undefined;
  let closed = false;

  const fail = (scope: Scope, error: unknown) =>
    events.emit({ type: "error", error: error as SessionError, source: "local", ...scopeOf(scope) });
  const storageError = (scope: Scope, what: string, cause?: unknown) =>
    fail(scope, new SessionError("STORAGE_ERROR", `${what} "${storageKey(scope)}" failed`, { cause }));

  /**
   * Sessions whose write failed (quota exceeded, KV down) are kept here: the server has rotated
   * past the stored pair, and presenting that older pair after the grace window would be reuse
   * (RFC 9700 §4.14) and revoke the session.
   */
  const unsaved = new Map<string, StoredSession>();

  async function read(scope: Scope): Promise<StoredSession | null> {
    const key = storageKey(scope);
    let text: string | null = null;
    try {
      text = await storage.get(key);
    } catch (cause) {
      storageError(scope, "reading", cause);
    }
    const stored = text === null ? undefined : parseStored(text, scope);
    if (text !== null && !stored) storageError(scope, "parsing");
    const mine = unsaved.get(key);
    if (mine && (!stored || (stored.sessionId === mine.sessionId && Date.parse(stored.expiresAt) <= Date.parse(mine.expiresAt)))) {
      return mine;
    }
    unsaved.delete(key); // storage holds something newer, or another session
    return stored ?? null;
  }

  /** Writes without announcing; the record is useless once the refresh token expires (KV expires it). */
  async function persist(session: StoredSession): Promise<void> {
    const key = storageKey(session);
    const ttlSeconds = Math.ceil((localExpiry(session).refresh - now()) / 1000);
    try {
      await storage.set(key, JSON.stringify(session), { ttlSeconds });
      unsaved.delete(key);
    } catch (cause) {
      unsaved.set(key, session);
      storageError(session, "writing", cause);
    }
  }

  async function erase(scope: Scope): Promise<void> {
    unsaved.delete(storageKey(scope));
    try {
      await storage.delete(storageKey(scope));
    } catch (cause) {
      storageError(scope, "deleting", cause);
    }
  }

  /** Tells the app (onChange) and, for a local change, the other tabs. */
  function announce(scope: Scope, change: SessionEvent, remote?: boolean): void {
    const { sessionId: _id, session, ...rest } = change as Partial<Extract<SessionEvent, { type: "ended" }>> & { session?: StoredSession };
    events.emit({ ...rest, ...scopeOf(scope), ...(session && { session: toPublic(session) }), source: remote ? "remote" : "local" } as SessionChange);
    if (!remote) sync?.post({ key: storageKey(scope), ...change });
  }

  /** The stored session, refreshed first when inside the margin (or always, when forced). */
  async function current(scope: Scope, force?: boolean): Promise<StoredSession | null> {
    const key = storageKey(scope);
    known.set(key, scopeOf(scope));
    await flights.get(key)?.catch(() => 0);
    const stored = await read(scope);
    const notFound = () => new SessionError("SESSION_NOT_FOUND", `no session for tag "${scope.tag}"`);
    if (!stored) {
      if (force) throw notFound();
      return null;
    }
    const t = now();
    const expiry = localExpiry(stored);
    if (t >= expiry.refresh) {
      // Cannot be refreshed any more; the token itself may still be good for a while.
      if (t < expiry.token && !force) return schedule(stored);
      await end(stored, "expired");
      if (force) throw new SessionError("REFRESH_EXPIRED", "the refresh token has expired");
      return null;
    }
    const due = expiry.token - refreshMargin(stored, options.refreshMargin);
    if (!force && (t < due || (t < expiry.token && t < (failures.get(key)?.[1] ?? 0)))) return schedule(stored);
    let flight = flights.get(key);
    if (!flight) flights.set(key, (flight = rotate(stored).finally(() => flights.delete(key))));
    try {
      const next = await flight;
      if (!next && force) throw notFound();
      return next;
    } catch (error) {
      // Never wipe a still-valid session because a proactive refresh failed (supabase-js #2145);
      // an authoritative answer already cleared it in rotate().
      if (force || (!endReasonFor(error) && now() >= expiry.token)) throw error;
      return endReasonFor(error) ? null : schedule(stored);
    }
  }

  async function rotate(planned: StoredSession): Promise<StoredSession | null> {
    const key = storageKey(planned);
    // Another tab or an earlier flight may have rotated it since `planned` was read.
    const basis = await read(planned);
    const changed = (latest: StoredSession | null) => latest?.refreshToken !== planned.refreshToken;
    if (changed(basis)) return basis;
    let tokens: SessionTokens;
    try {
      tokens = checkTokens(await call("refresh", { ...scopeOf(planned), refreshToken: planned.refreshToken }, retry));
    } catch (error) {
      const reason = endReasonFor(error);
      if (!reason) {
        const count = (failures.get(key)?.[0] ?? 0) + 1;
        failures.set(key, [count, now() + backoffDelay(count)]);
        schedule(planned);
        throw error;
      }
      // A newer session that arrived meanwhile (another tab) is not the one the server refused.
      const latest = await read(planned);
      if (changed(latest)) return latest;
      await end(planned, reason);
      throw error;
    }
    // Commit guard (supabase auth-js): if storage changed while the request was in flight,
    // another tab rotated it or end() cleared it; the stored state wins, this result is dropped,
    // and a pair rotated for an ended session is revoked, since nobody will keep it.
    const latest = await read(planned);
    if (!latest) void call("revoke", { ...scopeOf(planned), refreshToken: tokens.refreshToken }).catch(() => 0);
    return changed(latest) ? latest : commit(toStored(planned, tokens, now()), "refreshed");
  }

  async function commit(session: StoredSession, type: "started" | "refreshed"): Promise<StoredSession> {
    adopt(session);
    await persist(session);
    announce(session, { type, session });
    return schedule(session);
  }

  async function end(session: StoredSession, reason: EndReason): Promise<void> {
    adopt(session);
    await erase(session);
    announce(session, { type: "ended", reason, sessionId: session.sessionId });
  }

  /** One background timer per session, never holding the process (unref'd); on in a page by default. */
  function schedule(session: StoredSession): StoredSession {
    const key = storageKey(session);
    timers.get(key)?.();
    if (options.autoRefresh && !closed) {
      const expiry = localExpiry(session);
      const at = now() < expiry.refresh
        ? Math.max(expiry.token - refreshMargin(session, options.refreshMargin), failures.get(key)?.[1] ?? 0)
        : expiry.token;
      timers.set(key, backgroundTimer(() => void check(session), at - now()));
    }
    return session;
  }

  /** A new state for this session (local or from another tab): reset back-off and its timer. */
  function adopt(scope: Scope, session?: StoredSession): void {
    const key = storageKey(scope);
    known.set(key, scopeOf(scope));
    failures.delete(key);
    timers.get(key)?.();
    if (session) schedule(session);
  }

  /** Background check: failures become error events, never unhandled rejections. */
  const check = (scope: Scope) => !closed && current(scope).catch((error) => fail(scope, error));

  return {
    current,
    read,
    persist,
    erase,
    announce,
    adopt,
    end,
    started: (scope: Scope, tokens: SessionTokens) => commit(toStored(scope, tokens, now()), "started"),
    /** Stores the answer of an explicit refresh if it rotated the stored session. */
    async refreshed(scope: Scope, sentRefreshToken: string, tokens: SessionTokens): Promise<void> {
      if ((await read(scope))?.refreshToken === sentRefreshToken) await commit(toStored(scope, tokens, now()), "refreshed");
    },
    /** Waits for a refresh in flight, so end() revokes the newest refresh token. */
    settle: (scope: Scope) => flights.get(storageKey(scope))?.catch(() => 0),
    recheckAll: () => known.forEach(check),
    attach(tabSync: TabSync) {
      sync = tabSync;
    },
    close(): void {
      closed = true;
      timers.forEach((stop) => stop());
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
