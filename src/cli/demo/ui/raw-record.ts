import type { Session } from "../../../index.js";
import { $, log } from "./dom.js";

// Must match the client's IndexedDB layout (src/storage/indexeddb.ts and the client's storage keys).
const IDB = { database: "tessera", store: "kv" };
const storageKey = (product: string, env: string, tag: string) => "tessera:" + product + ":" + env + ":" + tag;

/** The client's record read back with the raw IndexedDB API, not through the client. */
async function readRawRecord(key: string): Promise<unknown> {
  // Open only an existing database: opening a missing one would create it without the
  // object store and break the client's own first open.
  if (indexedDB.databases) {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes(IDB.database)) return undefined;
  }
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(IDB.database);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  try {
    if (!db.objectStoreNames.contains(IDB.store)) return undefined;
    return await new Promise((resolve, reject) => {
      const req = db.transaction(IDB.store, "readonly").objectStore(IDB.store).get(key);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

/** The "Stored in IndexedDB" section: the ciphertext, and whether either token shows in it. */
export async function renderRaw(scope: { product: string; env: string; tag: string }, session: Session | null) {
  const key = storageKey(scope.product, scope.env, scope.tag);
  $("raw-where").textContent = "db " + IDB.database + ", store " + IDB.store + ", key " + key;
  let raw: unknown;
  try {
    raw = await readRawRecord(key);
  } catch (error) {
    log("reading IndexedDB failed: " + (error as Error).message);
  }
  const pre = $("raw-record");
  const check = $("raw-check");
  if (raw === undefined || raw === null) {
    pre.textContent = "(empty)";
    pre.className = "empty";
    check.textContent = "nothing stored";
    check.className = "badge";
    return;
  }
  const text = typeof raw === "string" ? raw : JSON.stringify(raw);
  pre.textContent = text;
  pre.className = "";
  const jwt = session ? session.token.slice(session.token.indexOf(":") + 1) : "";
  const leaked = session !== null && (text.includes(jwt) || text.includes(session.refreshToken || "\u0000"));
  check.textContent = leaked ? "plaintext token found!" : "encrypted: no token in the stored bytes";
  check.className = "badge " + (leaked ? "bad" : "ok");
}
