import { SessionError } from "../shared/errors.js";
import type { SessionTokens } from "../shared/protocol.js";
import { checkTokens, endReasonFor, type Api } from "./api.js";
import type { Emitter } from "./events.js";
import type { NormalizedOptions } from "./options.js";
import { backgroundTimer, exclusive } from "./runtime.js";
import { localExpiry, parseStored, scopeOf, storageKey, toPublic, toStored, type Scope, type StoredSession } from "./stored.js";
import { createTabSync, type SessionEvent, type TabMessage } from "./tab-sync.js";
import type { EndReason, SessionChange } from "./types.js";

/** What the lifecycle keeps per (product, env, tag). */
interface Entry {
  scope: Scope;
  /** The refresh in flight (single-flight). */
  flight?: Promise<StoredSession | null>;
  /** Cancels the background refresh timer. */
  stop?: () => void;
  /** Retryable refresh failures in a row, and the back-off: no new attempt before `until`. */
  failures: number;
  until: number;
  /**
   * A session whose write failed (quota exceeded, KV down): the server has rotated past the
   * stored pair, and presenting that older pair after the grace window would be reuse
   * (RFC 9700 §4.14) and revoke the session.
   */
  unsaved?: StoredSession;
}

/**
 * The refresh lifecycle (issue 2, Behaviour 4) over the configured storage: single-flight per
 * (product, env, tag), a commit guard, proactive refresh inside the margin, back-off that keeps
 * a still-valid session, only authoritative answers ending it, and every change announced to
 * the app and (when local) to other tabs. Storage failures never throw: a failing or unreadable
 * record is "no session" plus an error event (Behaviour 3).
 */
export function createLifecycle(options: NormalizedOptions, { call, retry }: Api, events: Emitter) {
  const { now, storage } = options;
  const entries = new Map<string, Entry>();
  let closed = false;

  const entry = (scope: Scope): Entry => {
    const key = storageKey(scope);
    let found = entries.get(key);
    if (!found) entries.set(key, (found = { scope: scopeOf(scope), failures: 0, until: 0 }));
    return found;
  };
  const fail = (scope: Scope, error: unknown) =>
    events.emit({ type: "error", error: error as SessionError, source: "local", ...scopeOf(scope) });
  const storageError = (scope: Scope, what: string, cause?: unknown) =>
    fail(scope, new SessionError("STORAGE_ERROR", `${what} "${storageKey(scope)}" failed`, { cause }));
  /** A storage operation whose failure is an error event, never a throw. */
  async function attempt<T>(scope: Scope, what: string, op: () => Promise<T>): Promise<T | undefined> {
    try {
      return await op();
    } catch (cause) {
      storageError(scope, what, cause);
    }
  }

  /**
   * The margin before expiry at which a token is refreshed: the configured one (at most half
   * the lifetime, or fresh tokens would be refreshed in a loop), else 60 s or 10% of the
   * lifetime, whichever is smaller. (firebase refreshes 5 min early, auth0 keeps > 60 s,
   * supabase 90 s: DESIGN.md anchors.)
   */
  const dueAt = (session: StoredSession) =>
    localExpiry(session).token - Math.min(options.refreshMargin ?? 60_000, session.lifetime / (options.refreshMargin === undefined ? 10 : 2));

  async function read(scope: Scope): Promise<StoredSession | null> {
    const e = entry(scope);
    const text = await attempt(scope, "reading", () => storage.get(storageKey(scope)));
    const stored = text == null ? undefined : parseStored(text, scope);
    if (text != null && !stored) storageError(scope, "parsing");
    const mine = e.unsaved;
    if (mine && (!stored || (stored.sessionId === mine.sessionId && !newer(stored, mine)))) return mine;
    e.unsaved = undefined; // storage holds something newer, or another session
    return stored ?? null;
  }

  /** Writes without announcing; the record is useless once the refresh token expires (KV expires it). */
  async function persist(session: StoredSession): Promise<void> {
    const e = entry(session);
    e.unsaved = session;
    const ttlSeconds = Math.ceil((localExpiry(session).refresh - now()) / 1000);
    await attempt(session, "writing", async () => {
      await storage.set(storageKey(session), JSON.stringify(session), { ttlSeconds });
      e.unsaved = undefined;
    });
  }

  async function erase(scope: Scope): Promise<void> {
    entry(scope).unsaved = undefined;
    await attempt(scope, "deleting", () => storage.delete(storageKey(scope)));
  }

  /** Tells the app (onChange) and, for a local change, the other tabs. */
  function announce(scope: Scope, change: SessionEvent, remote?: boolean): void {
    const { sessionId: _id, session, ...rest } = change as Partial<Extract<SessionEvent, { type: "ended" }>> & { session?: StoredSession };
    events.emit({ ...rest, ...scopeOf(scope), ...(session && { session: toPublic(session) }), source: remote ? "remote" : "local" } as SessionChange);
    if (!remote) sync.post({ key: storageKey(scope), ...change });
  }

  /**
   * The stored session, refreshed first when inside the margin (or always, when forced: then
   * null only when there is no session).
   */
  async function current(scope: Scope, force?: boolean): Promise<StoredSession | null> {
    const e = entry(scope);
    await e.flight?.catch(() => 0);
    const stored = await read(scope);
    if (!stored) return null;
    const t = now();
    const expiry = localExpiry(stored);
    if (t >= expiry.refresh) {
      // Cannot be refreshed any more; the token itself may still be good for a while.
      if (t < expiry.token && !force) return schedule(stored);
      await end(stored, "expired");
      if (force) throw new SessionError("REFRESH_EXPIRED", "refresh token expired", { status: 401 });
      return null;
    }
    if (!force && (t < dueAt(stored) || (t < expiry.token && t < e.until))) return schedule(stored);
    e.flight ??= rotateOnce(stored).finally(() => (e.flight = undefined));
    try {
      return await e.flight;
    } catch (error) {
      // Never wipe a still-valid session because a proactive refresh failed (supabase-js #2145);
      // an authoritative answer already cleared it in rotate().
      if (force || (!endReasonFor(error) && now() >= expiry.token)) throw error;
      return endReasonFor(error) ? null : schedule(stored);
    }
  }

  /**
   * One rotation across the tabs of an origin: under the session's Web Lock, the first tab
   * rotates and writes before releasing; the others then read the rotated session in rotate()'s
   * first step and send nothing (with per-tab storage, BroadcastChannel brings it). A tab waits
   * for the lock at most as long as the holder's own refresh can take (every attempt timing
   * out, each retry after at most 3 s), then goes ahead without it (runtime.ts exclusive()).
   */
  const lockWait = options.timeout * (options.retries + 1) + 3_000 * options.retries;
  const rotateOnce = (planned: StoredSession) => exclusive(storageKey(planned), lockWait, () => rotate(planned));

  async function rotate(planned: StoredSession): Promise<StoredSession | null> {
    // Another tab or an earlier flight may have rotated it since `planned` was read.
    const changed = (latest: StoredSession | null) => latest?.refreshToken !== planned.refreshToken;
    let latest = await read(planned);
    if (changed(latest)) return latest;
    let tokens: SessionTokens;
    try {
      tokens = checkTokens(await call("refresh", { ...scopeOf(planned), refreshToken: planned.refreshToken }, retry));
    } catch (error) {
      const reason = endReasonFor(error);
      if (!reason) {
        // Back-off after a retryable failure: 1 s, 2 s, 4 s ... up to 60 s (supabase caches a
        // failed refresh for 60 s); meanwhile the still-valid token is served without a new try.
        const e = entry(planned);
        e.until = now() + Math.min(60_000, 500 * 2 ** ++e.failures) * (0.8 + Math.random() * 0.4);
        schedule(planned);
        throw error;
      }
      // A newer session that arrived meanwhile (another tab) is not the one the server refused.
      latest = await read(planned);
      if (changed(latest)) return latest;
      await end(planned, reason);
      throw error;
    }
    // Commit guard (supabase auth-js): if storage changed while the request was in flight,
    // another tab rotated it or end() cleared it; the stored state wins, this result is dropped,
    // and a pair rotated for an ended session is revoked, since nobody will keep it.
    latest = await read(planned);
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
    const e = entry(session);
    e.stop?.();
    if (options.autoRefresh && !closed) {
      const at = now() < localExpiry(session).refresh ? Math.max(dueAt(session), e.until) : localExpiry(session).token;
      e.stop = backgroundTimer(() => void check(session), at - now());
    }
    return session;
  }

  /** A new state for this session (local or from another tab): reset back-off and its timer. */
  function adopt(scope: Scope, session?: StoredSession): void {
    const e = entry(scope);
    e.failures = e.until = 0;
    e.stop?.();
    if (session) schedule(session);
  }

  /** Background check: failures become error events, never unhandled rejections. */
  const check = (scope: Scope) => !closed && current(scope).catch((error) => fail(scope, error));

  /**
   * Another tab's change. With shared storage (IndexedDB) the sender already wrote it and this
   * only announces it; with per-tab storage (memory) the record is copied over unless this tab
   * holds a newer one. An end only applies to the session it names.
   */
  async function applyRemote(message: TabMessage): Promise<void> {
    // `tessera:<product>:<env>:<tag>`; names cannot contain ":" (validate.ts).
    const [prefix, product, env, tag, extra] = message.key.split(":");
    if (prefix !== "tessera" || !tag || extra !== undefined) return;
    const scope: Scope = { product: product!, env: env!, tag };
    const stored = await read(scope);
    if (message.type === "ended") {
      if (stored && stored.sessionId !== message.sessionId) return;
      if (stored) await erase(scope);
      adopt(scope);
    } else {
      const incoming = parseStored(JSON.stringify(message.session), scope);
      if (!incoming || (stored && newer(stored, incoming))) return;
      if (stored?.refreshToken !== incoming.refreshToken) await persist(incoming);
      adopt(scope, incoming);
    }
    announce(scope, message, true);
  }

  const sync = createTabSync(options.broadcast, (message) => void applyRemote(message).catch(() => 0), () => entries.forEach((e) => check(e.scope)));

  return {
    current,
    read,
    end,
    started: (scope: Scope, tokens: SessionTokens) => commit(toStored(scope, tokens, now()), "started"),
    /** Stores the answer of an explicit refresh if it rotated the stored session. */
    async refreshed(scope: Scope, sentRefreshToken: string, tokens: SessionTokens): Promise<void> {
      if ((await read(scope))?.refreshToken === sentRefreshToken) await commit(toStored(scope, tokens, now()), "refreshed");
    },
    /** Waits for a refresh in flight, so end() revokes the newest refresh token. */
    settle: (scope: Scope) => entry(scope).flight?.catch(() => 0),
    close(): void {
      closed = true;
      entries.forEach((e) => e.stop?.());
      sync.close();
    },
  };
}

/** `a` expires later than `b`: the newer rotation of one session. */
const newer = (a: StoredSession, b: StoredSession) => Date.parse(a.expiresAt) > Date.parse(b.expiresAt);

export type Lifecycle = ReturnType<typeof createLifecycle>;
