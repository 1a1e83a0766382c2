// The cost of DPoP binding (RFC 9449, docs/dpop.md): one P-256 signature per call in the page,
// one proof check (signature verify, thumbprint, ath hash) plus one jti record per call on the
// server. Three figures, each a median of ROUNDS:
//   - Chromium: dpopKey().proof() per call (key in IndexedDB), beside a bare crypto.subtle.sign;
//   - Node: createDpopProof and checkDpopProof per call;
//   - server.fetch (memoryStore) verify route, one request in flight: a bound session with its
//     proof vs an unbound one, so the difference is what binding adds to a request.
// Run: node bench/dpop.mjs
import { build } from "esbuild";
import { importSource, ROOT } from "./lib/bundle.mjs";
import { chromiumUnavailable, launchChromium } from "./lib/chromium.mjs";
import { join } from "node:path";

const ROUNDS = 5;
const PER_ROUND = 300;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ms) => `${(ms * 1000).toFixed(0)} µs`;

async function perCall(fn, n = PER_ROUND) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await fn(i);
    rounds.push((performance.now() - t0) / n);
  }
  return median(rounds);
}

async function perCallOnce(fn, n = PER_ROUND) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return (performance.now() - t0) / n;
}

async function node() {
  const shared = await importSource("bench/entries/dpop-shared.ts", "dpop-shared").catch(async () => {
    throw new Error("bench/entries/dpop-shared.ts missing");
  });
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const jwk = { kty, crv, x, y };
  const htu = "https://auth.example/v1/sessions/verify";
  const now = Math.floor(Date.now() / 1000);
  const create = await perCall(() => shared.createDpopProof(pair.privateKey, jwk, { htm: "POST", htu, token: "t:abc" }));
  const proofs = await Promise.all(Array.from({ length: PER_ROUND }, () => shared.createDpopProof(pair.privateKey, jwk, { htm: "POST", htu, token: "t:abc" })));
  const check = await perCall((i) => shared.checkDpopProof(proofs[i], { htm: "POST", htu: [htu], token: "t:abc", now }));
  return { create, check };
}

async function server() {
  const m = await importSource("src/server/index.ts", "server");
  const client = await importSource("src/index.ts", "client");
  const secretKey = m.generateAccessKey("secret");
  const session = { tag: "s", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins" };
  const srv = m.createSessionServer({
    issuer: "http://127.0.0.1:8787",
    keys: [await m.generateSigningKey("ES256")],
    secret: m.generateSecret(),
    store: m.memoryStore(),
    products: [{ tag: "p", envs: ["e"], sessions: [session, { ...session, tag: "b", binding: "dpop" }] }],
    accessKeys: { secret: [secretKey] },
  });
  const key = client.dpopKey({ database: false });
  const url = "http://127.0.0.1:8787/v1/sessions/verify";
  const post = (body, headers = {}) =>
    srv.fetch(new Request(url, { method: "POST", headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) }));
  const start = async (tag, headers) => (await (await srv.fetch(new Request("http://127.0.0.1:8787/v1/sessions/start", { method: "POST", headers: { authorization: `Bearer ${secretKey}`, "content-type": "application/json", ...headers }, body: JSON.stringify({ product: "p", env: "e", tag, data: { userId: "u1" } }) }))).json()).token;
  const unbound = await start("s");
  const bound = await start("b", { dpop: await key.proof("POST", "http://127.0.0.1:8787/v1/sessions/start") });
  const proofs = [];
  for (let i = 0; i < PER_ROUND * ROUNDS; i++) proofs.push(await key.proof("POST", url, bound));
  let next = 0;
  // Rounds alternate between the two cases, so a busy moment on the machine hits both alike.
  const plain = [];
  const withProof = [];
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(await perCallOnce(async () => {
      const res = await post({ product: "p", env: "e", tag: "s", token: unbound });
      if (res.status !== 200) throw new Error(`unbound verify answered ${res.status}`);
    }));
    withProof.push(await perCallOnce(async () => {
      const res = await post({ product: "p", env: "e", tag: "b", token: bound }, { dpop: proofs[next++] });
      if (res.status !== 200) throw new Error(`bound verify answered ${res.status}`);
    }));
  }
  return { plain: median(plain), withProof: median(withProof) };
}

async function chromium() {
  const missing = chromiumUnavailable();
  if (missing) return { note: `skipped: ${missing}` };
  const [{ serveNode }, bundle] = await Promise.all([
    importSource("src/node/index.ts", "node"),
    build({ entryPoints: [join(ROOT, "src/index.ts")], bundle: true, format: "esm", platform: "browser", target: "es2022", write: false, logLevel: "silent" }),
  ]);
  const module = bundle.outputFiles[0].text;
  const page = `<!doctype html><script type="module">import { dpopKey } from "/t.mjs"; window.dpopKey = dpopKey; window.ready = true;</script>`;
  const site = await serveNode(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/t.mjs") return new Response(module, { headers: { "content-type": "text/javascript" } });
    return new Response(page, { headers: { "content-type": "text/html" } });
  });
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.waitForFunction(() => window.ready === true);
    return await tab.evaluate(async ({ ROUNDS, PER_ROUND }) => {
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const perCall = async (fn) => {
        const rounds = [];
        for (let r = 0; r < ROUNDS; r++) {
          const t0 = performance.now();
          for (let i = 0; i < PER_ROUND; i++) await fn();
          rounds.push((performance.now() - t0) / PER_ROUND);
        }
        return median(rounds);
      };
      const key = window.dpopKey();
      await key.thumbprint(); // creates and stores the pair once
      const token = "bound:" + "x".repeat(900);
      const proof = await perCall(() => key.proof("POST", "https://auth.example/v1/sessions/refresh", token));
      const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
      const bytes = new TextEncoder().encode("x".repeat(400));
      const sign = await perCall(() => crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, bytes));
      return { proof, sign };
    }, { ROUNDS, PER_ROUND });
  } finally {
    await browser.close();
    await site.close();
  }
}

const [n, s, c] = [await node(), await server(), await chromium()];
console.log(`DPoP overhead, median of ${ROUNDS} rounds of ${PER_ROUND} sequential calls`);
console.log(`  Chromium  dpopKey().proof() per call          ${c.note ?? `${us(c.proof)}  (bare P-256 sign: ${us(c.sign)})`}`);
console.log(`  Node      createDpopProof per call            ${us(n.create)}`);
console.log(`  Node      checkDpopProof per call             ${us(n.check)}`);
console.log(`  server    verify route, unbound session       ${us(s.plain)} per request`);
console.log(`  server    verify route, bound + proof         ${us(s.withProof)} per request (+${us(s.withProof - s.plain)})`);
