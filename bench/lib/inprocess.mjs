// The in-process side of issue 5 part 2: a tessera server built from src/ (memory or SQLite
// store), the requests the bench sends through `server.fetch`, and a closed-loop driver that
// keeps a fixed number of requests in flight for a fixed time. No socket anywhere.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importSource } from "./bundle.mjs";

export const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
export const SEED_DATA = { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } };
export const ISSUER = "http://127.0.0.1:8787";
const ORIGIN = "http://127.0.0.1:8787";

export const PRODUCTS = [
  {
    tag: SCOPE.product,
    envs: ["dev", "snd", "prd"],
    sessions: [
      {
        tag: SCOPE.tag,
        schema: { userId: "string", details: { username: "string?", email: "string" } },
        selector: "$Session{userId}",
        expiry: 15,
        period: "mins",
        refresh: { expiry: 7, period: "days" },
      },
    ],
  },
];

/** tessera/server from src/ (or from a baseline copy at `root`), bundled once per process. */
export function verifyModule(root) {
  return root ? importSource("src/verify/index.ts", "verify-baseline", root) : importSource("src/verify/index.ts", "verify");
}

export function serverModule(root) {
  return root ? importSource("src/server/index.ts", "server-baseline", root) : importSource("src/server/index.ts", "server");
}

/**
 * A server with one ES256 key (the default algorithm) and the given store kind.
 * @param {"memory" | "sqlite"} storeKind SQLite uses a file in a fresh tmp directory.
 * @param {{ root?: string }} [options] `root`: build the server from a baseline copy of src/
 */
export async function createBenchServer(storeKind, options = {}) {
  const m = await serverModule(options.root);
  const jwk = await m.generateSigningKey("ES256");
  const secret = m.generateSecret();
  const secretKey = m.generateAccessKey("secret");
  const publishableKey = m.generateAccessKey("publishable");
  let dir = null;
  let store;
  if (storeKind === "sqlite") {
    dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    store = m.sqliteStore({ path: join(dir, "tessera.db") });
  } else {
    store = m.memoryStore();
  }
  const errors = [];
  const server = m.createSessionServer({
    issuer: ISSUER,
    keys: [jwk],
    secret,
    store,
    products: PRODUCTS,
    accessKeys: { secret: [secretKey], publishable: [publishableKey] },
    onError: (error) => errors.push(error),
  });
  const post = (path, key, body) =>
    server.fetch(
      new Request(`${ORIGIN}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
  const startBody = { ...SCOPE, data: SEED_DATA };
  const verifier = await verifyModule(options.root);
  const jwks = await (await server.fetch(new Request(`${ORIGIN}/.well-known/jwks.json`))).json();
  return {
    jwk,
    secret,
    secretKey,
    publishableKey,
    errors,
    server,
    /** One start; resolves the parsed 201 answer or throws. */
    async start() {
      return expect(await post("/v1/sessions/start", secretKey, startBody), 201);
    },
    async refresh(refreshToken) {
      return expect(await post("/v1/sessions/refresh", publishableKey, { ...SCOPE, refreshToken }), 200);
    },
    async verify(token) {
      const answer = await expect(await post("/v1/sessions/verify", publishableKey, { ...SCOPE, token }), 200);
      if (!answer.valid) throw new Error(`verify answered valid: false (${answer.reason})`);
      return answer;
    },
    /** verifySessionToken with the JWKS object (its imported keys cached), no endpoint call. */
    async verifyOffline(token) {
      const answer = await verifier.verifySessionToken(token, { jwks, issuer: ISSUER, ...SCOPE });
      if (!answer.valid) throw new Error(`verifySessionToken answered valid: false (${answer.reason})`);
      return answer;
    },
    async close() {
      await store.close?.();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function expect(response, status) {
  const body = await response.json();
  if (response.status !== status) throw new Error(`answered ${response.status} (${body?.error?.code ?? "?"}), expected ${status}`);
  return body;
}

/**
 * Closed loop: `concurrency` workers each await `step(worker)` back to back until `ms` have
 * passed. Returns completed operations per second (time measured to the last completion) and
 * the process's CPU time per operation, all threads (libuv's pool runs WebCrypto's jobs):
 * on a shared machine that figure moves less than the rate when neighbours take the cores.
 * `step` receives the worker's index so a worker can keep its own state (a refresh chain).
 */
export async function closedLoop(step, { ms, concurrency }) {
  let done = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + ms;
  let last = started;
  const worker = async (index) => {
    while (performance.now() < deadline) {
      await step(index);
      done++;
      last = performance.now();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const cpu = process.cpuUsage(cpuBefore);
  return { rate: done / ((last - started) / 1000), cpuUs: (cpu.user + cpu.system) / done };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
