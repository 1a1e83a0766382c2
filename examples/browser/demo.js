// The page logic shared by iife.html and esm.html: they differ only in how they load tessera.
// The page holds the PUBLISHABLE key; the login goes to the app backend (examples/node), which
// starts the session with its secret key. Tokens live in encrypted IndexedDB (the client's
// default in a browser) and survive a reload.

/** The client's `start` goes to the app's login route; everything else to the endpoint. */
function loginThrough(appOrigin) {
  return async (request) => {
    if (request.method === "POST" && new URL(request.url).pathname.endsWith("/v1/sessions/start")) {
      const headers = new Headers(request.headers);
      headers.delete("authorization");
      const body = await request.text();
      return fetch(new URL("/app/login", appOrigin), { method: "POST", headers, body, signal: request.signal });
    }
    return fetch(request);
  };
}

/** @param {{ createClient: Function }} Tessera  the global of the IIFE or the ESM module */
export async function runDemo(Tessera) {
  const $ = (id) => document.getElementById(id);
  const config = await (await fetch("/app/config")).json();
  const { tag } = config;
  const tessera = Tessera.createClient({
    baseUrl: location.origin, // the app passes /v1/* through to the endpoint
    accessKey: config.publishableKey,
    product: config.product,
    env: config.env,
    fetch: loginThrough(location.origin),
  });
  let refreshes = 0;

  const log = (line) => ($("log").textContent += `${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const show = (session) => {
    document.body.dataset.state = session ? "signed-in" : "signed-out";
    $("session-id").textContent = session?.sessionId ?? "—";
    $("expires").textContent = session?.expiresAt ?? "—";
    $("refreshes").textContent = String(refreshes);
  };
  // A button never throws into the void: errors are shown with their stable code.
  const action = (id, fn) => $(id).addEventListener("click", async () => {
    $("error").textContent = "";
    try {
      await fn();
    } catch (error) {
      $("error").textContent = error?.code ? `${error.code}: ${error.message}` : String(error);
    }
  });

  tessera.sessions.onChange((change) => {
    if (change.type === "refreshed") refreshes += 1;
    if (change.type === "error") return log(`error ${change.error.code}`);
    log(`${change.type}${change.type === "ended" ? ` (${change.reason})` : ""}${change.source === "remote" ? " in another tab" : ""}`);
    show(change.type === "ended" ? null : change.session);
  });

  action("login", async () => {
    await tessera.sessions.start({ tag, data: { username: $("username").value, password: $("password").value } });
  });
  action("refresh", () => tessera.sessions.refresh({ tag }));
  action("me", async () => {
    // The app's own API, with `Authorization: Session <tag>:<jwt>` attached by the client.
    const response = await tessera.sessions.fetch({ tag })("/app/me");
    $("me-result").textContent = `${response.status} ${await response.text()}`;
  });
  action("end", () => tessera.sessions.end({ tag }));

  // After a reload: the stored session (refreshed first if it is close to expiry), or none.
  show(await tessera.sessions.get({ tag }));
  document.body.dataset.ready = "true";
}
