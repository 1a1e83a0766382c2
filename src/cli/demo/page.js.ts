/**
 * The demo page's script, served at /demo/app.js. Plain browser JS in a string so tsup
 * bundles it; it uses only the IIFE global `Tessera` and the publishable key from
 * /demo/config. Never renders a secret: the page does not have one.
 */
export const DEMO_SCRIPT = String.raw`"use strict";
(async () => {
  const $ = (id) => document.getElementById(id);
  const status = (text, error) => { $("status").textContent = text; $("status").className = error ? "error" : ""; };
  if (!window.Tessera) { status("tessera.global.js did not load: run npm run build", true); return; }

  const config = await (await fetch("/demo/config")).json();
  // Must match the client's IndexedDB layout (src/storage/indexeddb.ts and the client's storage keys).
  const IDB = { database: "tessera", store: "kv" };
  const storageKey = (p, e, t) => "tessera:" + p + ":" + e + ":" + t;

  let client, unsubscribe;
  const state = { product: null, env: null, tag: null, identifier: null };

  const fill = (select, items) => {
    select.replaceChildren(...items.map(([value, label]) => new Option(label, value)));
  };
  const product = () => config.products.find((p) => p.tag === $("product").value) || config.products[0];
  const sessionConfig = (tag) => product().sessions.find((s) => s.tag === tag);
  const isPublic = (tag) => Boolean(sessionConfig(tag) && sessionConfig(tag).public);

  fill($("product"), config.products.map((p) => [p.tag, p.tag]));
  const fillProduct = () => {
    fill($("env"), product().envs.map((e) => [e, e]));
    if (product().envs.includes("snd")) $("env").value = "snd";
    // Every tag, guest ones included: a stored guest session must be reachable after a reload.
    fill($("tag"), product().sessions.map((s) => [s.tag, s.tag + (s.name && s.name !== s.tag ? " — " + s.name : "") + (s.public ? " (guest)" : "")]));
  };
  fillProduct();

  // The app's backend: a start for a non-public tag is sent to /demo/login, which adds the
  // secret key server-side. The page's client keeps only the publishable key.
  const appFetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (request.method === "POST" && url.pathname.endsWith("/v1/sessions/start")) {
      const body = await request.clone().text();
      let tag;
      try { tag = JSON.parse(body).tag; } catch {}
      if (!isPublic(tag)) {
        const headers = new Headers(request.headers);
        headers.delete("authorization");
        return fetch(new URL("/demo/login", location.origin), { method: "POST", headers, body, signal: request.signal });
      }
    }
    return fetch(request);
  };

  const makeClient = () => {
    if (unsubscribe) unsubscribe();
    state.product = product().tag;
    state.env = $("env").value;
    client = Tessera.createClient({
      baseUrl: location.origin,
      accessKey: config.publishableKey,
      product: state.product,
      env: state.env,
      fetch: appFetch,
    });
    const off = client.sessions.onChange((event) => {
      log(describeEvent(event));
      void render();
    });
    unsubscribe = typeof off === "function" ? off : undefined;
  };

  // SessionChange (src/client/types.ts): started | refreshed | ended (reason) | error.
  const describeEvent = (event) => {
    if (event.type === "error") return "error " + (event.error && event.error.code ? event.error.code : "");
    const parts = [event.type, event.tag];
    if (event.reason) parts.push("(" + event.reason + ")");
    if (event.source === "remote") parts.push("in another tab");
    return parts.join(" ");
  };

  const log = (text) => {
    const li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + "  " + text;
    $("log").prepend(li);
  };

  const decodeJwt = (token) => {
    try {
      const jwt = token.slice(token.indexOf(":") + 1);
      const part = (s) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
      const [h, p] = jwt.split(".");
      return { header: part(h), payload: part(p) };
    } catch { return null; }
  };

  const readRawRecord = async (key) => {
    // Open only an existing database: opening a missing one would create it without the
    // object store and break the client's own first open.
    if (indexedDB.databases) {
      const names = (await indexedDB.databases()).map((d) => d.name);
      if (!names.includes(IDB.database)) return undefined;
    }
    const db = await new Promise((resolve, reject) => {
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
    } finally { db.close(); }
  };

  const textRow = (dl, name, value, id) => {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); dd.textContent = value;
    if (id) dd.id = id;
    dd.className = "mono";
    dl.append(dt, dd);
  };

  let current = null;
  let rendering = Promise.resolve();
  const render = () => (rendering = rendering.then(renderNow, renderNow));
  const renderNow = async () => {
    const tag = $("tag").dataset.active || $("tag").value;
    state.tag = tag;
    let session = null;
    try { session = await client.sessions.get({ tag }); }
    catch (error) { log("get failed: " + (error.code || "") + " " + error.message); }
    current = session;
    const box = $("session");
    if (!session) {
      box.replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: "No session for this tag." }));
      $("state").textContent = "none"; $("state").className = "badge";
    } else {
      const dl = document.createElement("dl");
      textRow(dl, "tag", tag);
      textRow(dl, "token", session.token, "token");
      textRow(dl, "sessionId", session.sessionId || "—", "session-id");
      textRow(dl, "expiresAt", session.expiresAt || "—", "expires-at");
      const claims = decodeJwt(session.token);
      if (claims) {
        if (claims.payload.sub) { state.identifier = String(claims.payload.sub); }
        textRow(dl, "JWS header", JSON.stringify(claims.header));
        const shown = { ...claims.payload };
        for (const k of Object.keys(shown)) if (typeof shown[k] === "string" && shown[k].length > 48) shown[k] = shown[k].slice(0, 24) + "… (" + shown[k].length + " chars, encrypted)";
        textRow(dl, "claims", JSON.stringify(shown, null, 1));
      }
      box.replaceChildren(dl);
      const ttl = session.expiresAt ? Math.round((Date.parse(session.expiresAt) - Date.now()) / 1000) : null;
      $("state").textContent = ttl === null ? "active" : ttl > 0 ? "active, " + ttl + " s left" : "expired";
      $("state").className = "badge " + (ttl === null || ttl > 0 ? "ok" : "bad");
    }
    for (const id of ["refresh", "verify", "end"]) $(id).disabled = !session;
    await renderRaw(session);
    $("activity-who").textContent = state.identifier || "—";
  };

  const renderRaw = async (session) => {
    const key = storageKey(state.product, state.env, state.tag);
    $("raw-where").textContent = "db " + IDB.database + ", store " + IDB.store + ", key " + key;
    let raw;
    try { raw = await readRawRecord(key); } catch (error) { raw = undefined; log("reading IndexedDB failed: " + error.message); }
    const pre = $("raw-record");
    const check = $("raw-check");
    if (raw === undefined || raw === null) {
      pre.textContent = "(empty)"; pre.className = "empty";
      check.textContent = "nothing stored"; check.className = "badge";
      return;
    }
    const text = typeof raw === "string" ? raw : JSON.stringify(raw);
    pre.textContent = text; pre.className = "";
    const jwt = session ? session.token.slice(session.token.indexOf(":") + 1) : "";
    const leaked = session && (text.includes(jwt) || text.includes(session.refreshToken || "\u0000"));
    check.textContent = leaked ? "plaintext token found!" : "encrypted: no token in the stored bytes";
    check.className = "badge " + (leaked ? "bad" : "ok");
  };

  const renderActivity = async () => {
    const tbody = $("activity").querySelector("tbody");
    if (!state.identifier) { tbody.replaceChildren(); return; }
    const query = new URLSearchParams({ product: state.product, env: state.env, identifier: state.identifier });
    const response = await fetch("/demo/activity?" + query);
    const body = await response.json();
    if (!response.ok) { status("activity: " + (body.error ? body.error.message : response.status), true); return; }
    const events = body.events || [];
    tbody.replaceChildren(...events.map((e) => {
      const tr = document.createElement("tr");
      const cells = [
        new Date(e.startAt).toLocaleTimeString(),
        e.operation + (e.action ? " " + e.action : ""),
        e.status,
        e.sessionId ? e.sessionId.slice(0, 8) + "…" : "—",
        e.message || "",
      ];
      for (const text of cells) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
      tr.children[2].className = e.status === "success" ? "ok" : "bad";
      return tr;
    }));
    $("activity-who").textContent = state.identifier + " (" + events.length + " of " + (body.total ?? events.length) + " events)";
  };

  const act = (button, label, fn) => $(button).addEventListener("click", async () => {
    $(button).disabled = true;
    status(label + "…");
    try {
      const done = await fn();
      status(done || label + ": done");
    } catch (error) {
      status(label + " failed: " + (error.code ? error.code + ": " : "") + error.message, true);
      log(label + " failed: " + (error.code || error.name));
    } finally {
      $(button).disabled = false;
      await render();
      await renderActivity().catch(() => {});
    }
  });

  const selectTag = (tag) => { $("tag").value = tag; $("tag").dataset.active = tag; };

  act("start", "start", async () => {
    const tag = $("tag").value;
    selectTag(tag);
    const data = isPublic(tag) ? { userId: $("userId").value } : { userId: $("userId").value, details: { username: $("username").value, email: $("email").value } };
    state.identifier = data.userId;
    const tokens = await client.sessions.start({ tag, data });
    return "started session " + tokens.sessionId + " through the app backend";
  });

  act("start-guest", "guest start", async () => {
    const guest = product().sessions.find((s) => s.public);
    if (!guest) throw new Error("this product has no public (guest) tag");
    selectTag(guest.tag);
    const userId = "guest-" + crypto.randomUUID().slice(0, 8);
    // Guest identifiers are kept apart from real ones: the server prefixes them with "guest:".
    state.identifier = "guest:" + userId;
    const tokens = await client.sessions.start({ tag: guest.tag, data: { userId } });
    return "started guest session " + tokens.sessionId + " with the publishable key";
  });

  act("refresh", "refresh", async () => {
    const tokens = await client.sessions.refresh({ tag: state.tag });
    return "refreshed: new token and refresh token (expires " + tokens.expiresAt + ")";
  });

  act("verify", "verify", async () => {
    const result = await client.sessions.verify({ tag: state.tag, token: current && current.token });
    $("verify-result").hidden = false;
    $("verify-result").textContent = JSON.stringify(result, null, 2);
    return result.valid ? "verify: valid" : "verify: invalid (" + result.reason + ")";
  });

  act("end", "end", async () => {
    await client.sessions.end({ tag: state.tag });
    $("verify-result").hidden = true;
    return "ended: revoked on the server and removed from IndexedDB";
  });

  $("load-activity").addEventListener("click", () => void renderActivity().catch((e) => status(e.message, true)));
  $("product").addEventListener("change", () => { fillProduct(); makeClient(); delete $("tag").dataset.active; void render(); });
  $("env").addEventListener("change", () => { makeClient(); void render(); });
  $("tag").addEventListener("change", () => { delete $("tag").dataset.active; void render(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden) void render(); });
  setInterval(() => { if (current) void render(); }, 5000);

  makeClient();
  await render();
  await renderActivity().catch(() => {});
  document.body.dataset.ready = "true";
})().catch((error) => {
  const el = document.getElementById("status");
  if (el) { el.textContent = "demo failed to load: " + error.message; el.className = "error"; }
});
`;
