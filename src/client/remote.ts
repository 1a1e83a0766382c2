import type { Lifecycle } from "./lifecycle.js";
import { parseStored, type Scope } from "./stored.js";
import type { TabMessage } from "./tab-sync.js";

/**
 * Applies another tab's change. With shared storage (IndexedDB) the sender already wrote it
 * and this only announces it; with per-tab storage (memory) the record is copied over unless
 * this tab holds a newer one. An end only applies to the session it names.
 */
export async function applyRemote(message: TabMessage, lifecycle: Lifecycle): Promise<void> {
  // `tessera:<product>:<env>:<tag>`; names cannot contain ":" (validate.ts).
  const [prefix, product, env, tag, extra] = message.key.split(":");
  if (prefix !== "tessera" || !tag || extra !== undefined) return;
  const scope: Scope = { product: product!, env: env!, tag };
  const stored = await lifecycle.read(scope);
  if (message.type === "ended") {
    if (stored && stored.sessionId !== message.sessionId) return;
    if (stored) await lifecycle.erase(scope);
    lifecycle.adopt(scope);
  } else {
    const incoming = parseStored(JSON.stringify(message.session), scope);
    if (!incoming) return;
    if (stored?.refreshToken !== incoming.refreshToken) {
      if (stored && Date.parse(stored.expiresAt) > Date.parse(incoming.expiresAt)) return; // ours is newer
      await lifecycle.persist(incoming);
    }
    lifecycle.adopt(scope, incoming);
  }
  lifecycle.announce(scope, message, true);
}
