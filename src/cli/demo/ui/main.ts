/**
 * The demo page `tessera dev` serves at `/`: the ESM client with a DPoP key, bundled at build
 * time (scripts/console-ui.mjs) and served at /demo/app.js. It holds only the publishable key
 * from /demo/config; sessions of other tags are started by /demo/login, which plays the app's
 * backend (docs/dpop.md, "Sessions started by the app's backend").
 */
import { createClient, dpopKey, type Session, type SessionChange, type TesseraClient } from "../../../index.js";
import { renderActivity } from "./activity.js";
import { $, decodeJwt, log, status, textRow } from "./dom.js";
import { renderRaw } from "./raw-record.js";

interface DemoSessionConfig { tag: string; name: string; public: boolean; binding: "dpop" | null }
interface DemoConfig { publishableKey: string; products: Array<{ tag: string; envs: string[]; sessions: DemoSessionConfig[] }> }

let config: DemoConfig;
// One key per origin: every tab and reload of this page signs with it (docs/dpop.md).
const key = dpopKey();
const state: { product: string; env: string; tag: string; identifier: string | null } = { product: "", env: "", tag: "", identifier: null };
let client: TesseraClient;
let unsubscribe: (() => void) | undefined;

const select = (id: string) => $(id) as HTMLSelectElement;
const fill = (element: HTMLSelectElement, items: Array<[string, string]>) => element.replaceChildren(...items.map(([value, label]) => new Option(label, value)));
const product = () => config.products.find((p) => p.tag === select("product").value) ?? config.products[0]!;
const sessionConfig = (tag: string) => product().sessions.find((s) => s.tag === tag);
const input = (id: string) => ($(id) as HTMLInputElement).value;

const fillProduct = () => {
  fill(select("env"), product().envs.map((e) => [e, e]));
  if (product().envs.includes("snd")) select("env").value = "snd";
  // Every tag, guest ones included: a stored guest session must be reachable after a reload.
  const label = (s: DemoSessionConfig) => s.tag + (s.name !== s.tag ? " — " + s.name : "") + (s.public ? " (guest)" : "") + (s.binding ? " (bound)" : "");
  fill(select("tag"), product().sessions.map((s) => [s.tag, label(s)]));
  // Open on a bound tag: what this demo is for.
  const bound = product().sessions.find((s) => s.binding === "dpop" && !s.public);
  if (bound) select("tag").value = bound.tag;
};
const makeClient = () => {
  unsubscribe?.();
  client?.close();
  state.product = product().tag;
  state.env = select("env").value;
  client = createClient({ baseUrl: location.origin, accessKey: config.publishableKey, product: state.product, env: state.env, dpop: key });
  unsubscribe = client.sessions.onChange((event) => {
    log(describeEvent(event));
    void render();
  });
};

const describeEvent = (event: SessionChange) => {
  if (event.type === "error") return "error " + event.error.code;
  const parts: string[] = [event.type, event.tag];
  if (event.type === "ended") parts.push("(" + event.reason + ")");
  if (event.source === "remote") parts.push("in another tab");
  return parts.join(" ");
};

let current: Session | null = null;
let rendering = Promise.resolve();
const render = () => (rendering = rendering.then(renderNow, renderNow));
async function renderNow() {
  const tag = select("tag").dataset.active || select("tag").value;
  state.tag = tag;
  let session: Session | null = null;
  try {
    session = await client.sessions.get({ tag });
  } catch (error) {
    log("get failed: " + String((error as { code?: string }).code ?? "") + " " + (error as Error).message);
  }
  current = session;
  const box = $("session");
  const pageJkt = await key.thumbprint();
  if (!session) {
    box.replaceChildren(Object.assign(document.createElement("p"), { className: "empty", textContent: "No session for this tag." }));
    $("state").textContent = "none";
    $("state").className = "badge";
    showBinding(sessionConfig(tag)?.binding ? "bound tag: no session yet" : "unbound tag", "");
  } else {
    const dl = document.createElement("dl");
    textRow(dl, "tag", tag);
    textRow(dl, "token", session.token, "token");
    textRow(dl, "sessionId", session.sessionId || "—", "session-id");
    textRow(dl, "expiresAt", session.expiresAt || "—", "expires-at");
    const claims = decodeJwt(session.token);
    const jkt = (claims?.payload.cnf as { jkt?: string } | undefined)?.jkt;
    if (claims) {
      if (claims.payload.sub) state.identifier = String(claims.payload.sub);
      // RFC 9449 §6.1: the key the session is bound to; only this browser holds its private part.
      textRow(dl, "cnf.jkt", jkt ?? "— (not bound)", "cnf-jkt");
      textRow(dl, "JWS header", JSON.stringify(claims.header));
      const shown = { ...claims.payload };
      for (const k of Object.keys(shown)) {
        const value = shown[k];
        if (typeof value === "string" && value.length > 48) shown[k] = value.slice(0, 24) + "… (" + value.length + " chars, encrypted)";
      }
      textRow(dl, "claims", JSON.stringify(shown, null, 1));
    }
    box.replaceChildren(dl);
    const ttl = session.expiresAt ? Math.round((Date.parse(session.expiresAt) - Date.now()) / 1000) : null;
    $("state").textContent = ttl === null ? "active" : ttl > 0 ? "active, " + ttl + " s left" : "expired";
    $("state").className = "badge " + (ttl === null || ttl > 0 ? "ok" : "bad");
    if (jkt === undefined) showBinding("not bound: the tokens work anywhere", "");
    else showBinding(jkt === pageJkt ? "bound to this browser's key" : "bound to another key!", jkt === pageJkt ? "ok" : "bad");
  }
  for (const id of ["refresh", "verify", "end"]) ($(id) as HTMLButtonElement).disabled = !session;
  await renderRaw(state, session);
  $("activity-who").textContent = state.identifier || "—";
}

function showBinding(text: string, kind: string) {
  $("binding").textContent = text;
  $("binding").className = "badge " + kind;
}

const activity = () => renderActivity(state).catch((error: Error) => status("activity: " + error.message, true));

const act = (button: string, label: string, fn: () => Promise<string>) =>
  $(button).addEventListener("click", async () => {
    ($(button) as HTMLButtonElement).disabled = true;
    status(label + "…");
    try {
      status(await fn());
    } catch (error) {
      const { code, name, message } = error as { code?: string; name: string; message: string };
      status(label + " failed: " + (code ? code + ": " : "") + message, true);
      log(label + " failed: " + (code || name));
    } finally {
      ($(button) as HTMLButtonElement).disabled = false;
      await render();
      await activity();
    }
  });

const selectTag = (tag: string) => {
  select("tag").value = tag;
  select("tag").dataset.active = tag;
};

/**
 * The backend flow of docs/dpop.md: the sign-in carries this browser's key thumbprint, the
 * backend (here /demo/login, secret key) starts the session with `dpop: { jkt }`, and the page
 * adopts the tokens. A bound session is bound from its first token; the backend cannot use the
 * tokens it handed over, since it does not hold this browser's key.
 */
async function signIn(tag: string, data: unknown) {
  const response = await fetch("/demo/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ product: state.product, env: state.env, tag, data, jkt: await key.thumbprint() }),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? "HTTP " + response.status), { code: body.error?.code });
  return client.sessions.adopt({ tag, ...body });
}

act("start", "start", async () => {
  const tag = select("tag").value;
  selectTag(tag);
  if (sessionConfig(tag)?.public) {
    const session = await client.sessions.start({ tag, data: { userId: input("userId") } });
    return "started session " + session.sessionId + " with the publishable key";
  }
  state.identifier = input("userId");
  const session = await signIn(tag, { userId: input("userId"), details: { username: input("username"), email: input("email") } });
  return "started session " + session.sessionId + " through the app backend" + (sessionConfig(tag)?.binding ? ", bound to this browser's key" : "");
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
  const result = await client.sessions.verify({ tag: state.tag, ...(current ? { token: current.token } : {}) });
  ($("verify-result") as HTMLPreElement).hidden = false;
  $("verify-result").textContent = JSON.stringify(result, null, 2);
  return result.valid ? "verify: valid" : "verify: invalid (" + result.reason + ")";
});

act("end", "end", async () => {
  await client.sessions.end({ tag: state.tag });
  ($("verify-result") as HTMLPreElement).hidden = true;
  return "ended: revoked on the server and removed from IndexedDB";
});

$("load-activity").addEventListener("click", () => void activity());
select("product").addEventListener("change", () => {
  fillProduct();
  makeClient();
  delete select("tag").dataset.active;
  void render();
});
select("env").addEventListener("change", () => {
  makeClient();
  void render();
});
select("tag").addEventListener("change", () => {
  delete select("tag").dataset.active;
  void render();
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) void render();
});
setInterval(() => {
  if (current) void render();
}, 5000);

// For devtools: the page's client and key, as any script in the page can reach them. What such
// a script can do with a bound session's tokens elsewhere: nothing (docs/dpop.md).
Object.assign(window, { tesseraDemo: { get client() { return client; }, key } });

async function main() {
  config = (await (await fetch("/demo/config")).json()) as DemoConfig;
  fill(select("product"), config.products.map((p) => [p.tag, p.tag]));
  fillProduct();
  makeClient();
  $("page-jkt").textContent = await key.thumbprint();
  await render();
  await activity();
  document.body.dataset.ready = "true";
}

main().catch((error: Error) => status("demo failed to load: " + error.message, true));
