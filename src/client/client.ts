import { createApi } from "./api.js";
import { createEmitter } from "./events.js";
import { createLifecycle } from "./lifecycle.js";
import { normalizeOptions } from "./options.js";
import { createSessions } from "./sessions.js";
import type { ClientOptions, Sessions, Users } from "./types.js";
import { createUsers } from "./users.js";

declare const TESSERA_SCRIPT_TAG: true | undefined;

export interface TesseraClient {
  sessions: Sessions;
  /** Users and their timelines (secret key). Not in the script-tag build, which never holds a secret key. */
  users: Users;
  /** Stops timers, the tab channel and listeners (tests, hot reload, SSR request scopes). */
  close(): void;
}

/**
 * Creates a client. Options are checked here (an invalid one throws SessionError
 * INVALID_ARGUMENT); nothing touches the network, storage or the page until a call needs it,
 * except subscribing to other tabs and to `visibilitychange` where those exist.
 */
export function createClient(options: ClientOptions): TesseraClient {
  const normalized = normalizeOptions(options);
  const events = createEmitter();
  const api = createApi(normalized);
  const lifecycle = createLifecycle(normalized, api, events);
  const stopErrors = normalized.storage.onError?.((error) => events.emit({ type: "error", error, source: "local" }));
  return {
    sessions: createSessions(normalized, api, lifecycle, events),
    // The script tag serves browsers, which hold publishable keys only: the users API stays out (its bytes too).
    ...(typeof TESSERA_SCRIPT_TAG === "undefined" ? { users: createUsers(normalized, api) } : ({} as { users: Users })),
    close() {
      lifecycle.close();
      stopErrors?.();
    },
  };
}
