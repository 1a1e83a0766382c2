import { createApi } from "./api.js";
import { createEmitter } from "./events.js";
import { createLifecycle } from "./lifecycle.js";
import { normalizeOptions } from "./options.js";
import { createSessions } from "./sessions.js";
import type { ClientOptions, Sessions } from "./types.js";

export interface TesseraClient {
  sessions: Sessions;
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
    close() {
      lifecycle.close();
      stopErrors?.();
    },
  };
}
