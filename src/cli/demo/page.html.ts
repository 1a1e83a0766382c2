/**
 * The demo page `tessera dev` serves at `/`. A string module so tsup bundles it into
 * dist/cli.js (no files to locate at run time). Scripts come from this origin only
 * (see the CSP in dev-handler.ts): the IIFE by script tag, then the page's own script.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tessera dev</title>
<link rel="icon" href="data:,">
<style>
  :root { --fg:#1d2330; --muted:#5d6678; --line:#dde2ea; --bg:#f5f7fa; --card:#fff; --accent:#3b5bdb; --ok:#2b8a3e; --bad:#c92a2a; }
  * { box-sizing: border-box; }
  body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
  header { padding:18px 28px; background:#1d2330; color:#fff; display:flex; align-items:baseline; gap:16px; flex-wrap:wrap; }
  header h1 { margin:0; font-size:20px; letter-spacing:.3px; }
  header p { margin:0; color:#b8c0d0; font-size:14px; }
  header a { margin-left:auto; color:#fff; font-weight:600; text-decoration:none; border:1px solid #5d6678; border-radius:6px; padding:4px 12px; }
  main { max-width:1180px; margin:0 auto; padding:20px 28px 40px; display:grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap:18px; }
  @media (max-width: 760px) { main { grid-template-columns: minmax(0, 1fr); padding:14px; } }
  section { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:16px 18px; min-width:0; }
  section.wide { grid-column: 1 / -1; }
  h2 { margin:0 0 10px; font-size:15px; text-transform:uppercase; letter-spacing:.6px; color:var(--muted); }
  /* Identifiers, times and states inside a heading keep their case ("guest-0ed04df6", "899 s left"). */
  h2 > span { text-transform:none; letter-spacing:normal; }
  label { display:block; font-size:13px; color:var(--muted); margin:8px 0 3px; }
  input, select { width:100%; padding:7px 9px; border:1px solid var(--line); border-radius:6px; font:inherit; background:#fff; }
  .row { display:flex; gap:10px; } .row > * { flex:1; }
  .buttons { display:flex; gap:8px; flex-wrap:wrap; margin-top:14px; }
  button { font:inherit; padding:7px 14px; border-radius:6px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; }
  button.secondary { background:#fff; color:var(--accent); }
  button.danger { background:#fff; color:var(--bad); border-color:var(--bad); }
  button:disabled { opacity:.45; cursor:default; }
  code, pre, .mono { font:12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  pre { margin:6px 0 0; padding:10px; background:#f0f2f6; border-radius:6px; white-space:pre-wrap; word-break:break-all; max-height:260px; overflow:auto; }
  dl { display:grid; grid-template-columns: max-content 1fr; gap:4px 12px; margin:0; }
  dt { color:var(--muted); font-size:13px; } dd { margin:0; word-break:break-all; }
  .badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:#e7ebf3; color:var(--muted); }
  .badge.ok { background:#d3f9d8; color:var(--ok); } .badge.bad { background:#ffe3e3; color:var(--bad); }
  .empty { color:var(--muted); font-style:italic; }
  .note { color:var(--muted); font-size:13px; margin:8px 0 0; }
  table { width:100%; border-collapse:collapse; font-size:13.5px; }
  th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; font-size:12.5px; }
  td.ok { color:var(--ok); } td.bad { color:var(--bad); }
  #status { min-height:1.4em; margin-top:10px; font-size:13.5px; }
  #status.error { color:var(--bad); }
  #log { list-style:none; margin:0; padding:0; max-height:180px; overflow:auto; font-size:13px; }
  #log li { padding:3px 0; border-bottom:1px dashed var(--line); }
</style>
</head>
<body>
<header>
  <h1>tessera dev</h1>
  <p>A local sessions endpoint and the browser client, loaded by <code>&lt;script src="/tessera.global.js"&gt;</code>. This page holds only the publishable key.</p>
  <a id="console-link" href="/console">Sessions console &rarr;</a>
</header>
<main>
  <section>
    <h2>Start a session</h2>
    <div class="row">
      <div><label for="product">Product</label><select id="product"></select></div>
      <div><label for="env">Env</label><select id="env"></select></div>
    </div>
    <label for="tag">Session tag</label><select id="tag"></select>
    <div class="row">
      <div><label for="userId">userId</label><input id="userId" value="1919102009383"></div>
      <div><label for="username">details.username</label><input id="username" value="feekayo"></div>
    </div>
    <label for="email">details.email</label><input id="email" value="fikayo@ductape.app">
    <div class="buttons">
      <button id="start">Start session</button>
      <button id="start-guest" class="secondary">Start guest session</button>
    </div>
    <p class="note" id="start-note">“Start session” goes through <code>POST /demo/login</code>, a dev-only route playing your app's backend: it calls <code>/v1/sessions/start</code> with the secret key. A guest tag (<code>public: true</code>) is started straight from the page with the publishable key.</p>
    <div id="status" role="status"></div>
  </section>

  <section>
    <h2>Current session <span id="state" class="badge">none</span></h2>
    <div id="session"><p class="empty">No session for this tag yet.</p></div>
    <div class="buttons">
      <button id="refresh" class="secondary" disabled>Refresh</button>
      <button id="verify" class="secondary" disabled>Verify</button>
      <button id="end" class="danger" disabled>End (revoke)</button>
    </div>
    <pre id="verify-result" hidden></pre>
  </section>

  <section class="wide">
    <h2>Stored in IndexedDB <span id="raw-check" class="badge">nothing stored</span></h2>
    <p class="note">The record exactly as the client wrote it (<span class="mono" id="raw-where"></span>), read back with the raw IndexedDB API: AES-GCM ciphertext under a non-extractable key, the storage key bound as additional data.</p>
    <pre id="raw-record" class="empty">(empty)</pre>
  </section>

  <section class="wide">
    <h2>Activity of <span id="activity-who" class="mono">—</span></h2>
    <div class="buttons" style="margin-top:0"><button id="load-activity" class="secondary">Reload timeline</button></div>
    <table id="activity"><thead><tr><th>time</th><th>operation</th><th>status</th><th>session</th><th>message</th></tr></thead><tbody></tbody></table>
    <p class="note">Through <code>GET /demo/activity</code>, which asks <code>/v1/users/{identifier}/activity</code> with the secret key, as an operator's backend would.</p>
  </section>

  <section class="wide">
    <h2>Events</h2>
    <ul id="log"></ul>
  </section>
</main>
<script src="/tessera.global.js"></script>
<script src="/demo/app.js"></script>
</body>
</html>
`;
