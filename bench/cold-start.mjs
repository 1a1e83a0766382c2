// Issue 5 part 5: cold start in workerd (Miniflare's bundled Cloudflare Workers runtime).
// For tessera's server (src/server bundled as a Worker over D1, as test/server/workerd.test.ts
// does) and a hello-world Worker, alternately and several times in one run: the time from
// `new Miniflare()` until the runtime is ready (the Worker's module is compiled and
// evaluated at startup), and the time to answer the first request (tessera: a session
// start, so key import, HKDF, schema creation, signature and encryption all run cold).
// Medians and ratios to hello world. Most of "ready" is the workerd process itself, paid
// alike by both; the difference is what tessera's module costs. Each `new Miniflare`
// starts its own workerd process, so every repetition is a cold isolate.
//   node bench/cold-start.mjs [--markdown]
import { pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { ROOT } from "./lib/bundle.mjs";
import { median, PRODUCTS, SCOPE, SEED_DATA, serverModule } from "./lib/inprocess.mjs";
import { formatCount, formatRatio, printTable } from "./lib/table.mjs";

const REPETITIONS = 7;

const HELLO = `export default { fetch() { return new Response("hello"); } };`;

const TESSERA = `
import { createSessionServer, d1Store } from "./src/server/index.ts";
let server;
export default {
  fetch(request, env) {
    server ??= createSessionServer({
      issuer: "https://edge.example", keys: JSON.parse(env.KEYS), secret: env.SECRET, store: d1Store(env.DB),
      products: JSON.parse(env.PRODUCTS), accessKeys: { secret: [env.ACCESS_KEY] },
    });
    return server.fetch(request);
  },
};`;

/** Bundles a Worker the way TOOLCHAIN.md says: esm, neutral platform, worker/browser conditions. */
async function bundleWorker(contents) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, loader: "js" },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["worker", "browser"],
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** One cold start: new runtime, first request, second request; milliseconds. */
async function coldStart(Miniflare, worker) {
  const t0 = performance.now();
  // The module is handed over as is: with `modules: true, script`, Miniflare first walks the
  // script with a JS parser in Node to find its imports, which cost ~30 ms for 80 KB here
  // and is not part of a Worker's cold start (it showed as "tessera loads 35 ms slower").
  const mf = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents: worker.script }],
    compatibilityDate: "2025-01-01",
    ...worker.options,
  });
  try {
    await mf.ready;
    const t1 = performance.now();
    const first = await worker.request(mf);
    const t2 = performance.now();
    await worker.request(mf);
    const t3 = performance.now();
    if (!first.ok) throw new Error(`first request answered ${first.status}`);
    return { ready: t1 - t0, first: t2 - t1, total: t2 - t0, second: t3 - t2 };
  } finally {
    await mf.dispose();
  }
}

export async function coldStartBench() {
  const { Miniflare } = await import("miniflare");
  const m = await serverModule();
  const accessKey = m.generateAccessKey("secret");
  const bindings = { KEYS: JSON.stringify([await m.generateSigningKey("ES256")]), SECRET: m.generateSecret(), PRODUCTS: JSON.stringify(PRODUCTS), ACCESS_KEY: accessKey };
  const tesseraScript = await bundleWorker(TESSERA);
  const workers = [
    // Same bindings as tessera's (a D1 database costs workerd time to set up): the difference
    // is then the module and its first request alone.
    { id: "hello", label: "hello-world Worker (same D1 + bindings)", script: await bundleWorker(HELLO), options: { d1Databases: ["DB"], bindings }, request: (mf) => mf.dispatchFetch("http://localhost/").then(drain) },
    {
      id: "tessera",
      label: `tessera server Worker (D1), ${formatCount(Buffer.byteLength(tesseraScript))} B minified`,
      script: tesseraScript,
      options: { d1Databases: ["DB"], bindings },
      request: (mf) =>
        mf
          .dispatchFetch("http://localhost/v1/sessions/start", {
            method: "POST",
            headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json" },
            body: JSON.stringify({ ...SCOPE, data: SEED_DATA }),
          })
          .then(drain),
    },
  ];
  const samples = { hello: [], tessera: [] };
  for (let rep = 0; rep < REPETITIONS; rep++) {
    for (const worker of workers) samples[worker.id].push(await coldStart(Miniflare, worker));
  }
  const med = (id, field) => median(samples[id].map((s) => s[field]));
  const ms = (value) => (value == null ? null : value.toFixed(1));
  const rows = workers.map((w) => ({
    label: w.label,
    ready: med(w.id, "ready"),
    first: med(w.id, "first"),
    total: med(w.id, "total"),
    second: med(w.id, "second"),
  }));
  const hello = rows[0];
  return {
    title: `Cold start in workerd (Miniflare), median of ${REPETITIONS}, alternating; ratio to hello world`,
    columns: ["worker", "new Miniflare → ready ms", "first request ms", "ready + first ms", "ratio to hello", "second request ms"],
    rows: rows.map((r) => [r.label, ms(r.ready), ms(r.first), ms(r.total), formatRatio(r.total, hello.total), ms(r.second)]),
    summary: rows.slice(1).map((r) => ({
      case: `${r.label}: ready + first request`,
      result: `${ms(r.total)} ms (ready ${ms(r.ready)}, first request ${ms(r.first)})`,
      ratio: `${formatRatio(r.total, hello.total)} hello`,
      note: `hello world: ${ms(hello.total)} ms (first request ${ms(hello.first)}); +${ms(r.total - hello.total)} ms`,
    })),
    ok: true,
  };
}

async function drain(response) {
  await response.arrayBuffer();
  return response;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const report = await coldStartBench();
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
  } catch (error) {
    console.error(`cold start: could not run: ${error?.stack ?? error}`);
    process.exitCode = 1;
  }
}
