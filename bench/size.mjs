// Issue 5 part 1: minified + gzipped browser bundle of tessera's client with encrypted
// IndexedDB storage beside the alternatives, every entry bundled by esbuild the same way.
// Sizes are deterministic, so unlike the timing parts they need no same-run reference;
// the ratio column is still relative to tessera, the figure the budget is about.
//   node bench/size.mjs [--markdown] [--detail]
import { existsSync, readFileSync } from "node:fs";
import { gzipSync, constants as zlib } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { formatBytes, formatCount, formatRatio, printTable } from "./lib/table.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** tessera first: it is the reference of the ratio column. `requires` lists files that may not exist yet. */
export const SIZE_ENTRIES = [
  {
    id: "tessera",
    label: "tessera (client + encrypted IndexedDB)",
    entry: "bench/entries/tessera.ts",
    requires: ["src/index.ts", "src/storage/index.ts"],
  },
  // Proposal, not shipped: the same entry with ky swapped for the fetch transport in
  // bench/entries/proposal/ (the part of ky src/client uses), to price a slimmer transport.
  {
    id: "tessera-fetch-transport",
    label: "tessera, ky swapped for a fetch transport (proposal)",
    entry: "bench/entries/tessera.ts",
    alias: { ky: "./bench/entries/proposal/fetch-transport.ts" },
    requires: ["src/index.ts", "src/storage/index.ts"],
  },
  // The script-tag build as tsup wrote it (not re-bundled): what a <script> user downloads.
  { id: "tessera-iife", label: "tessera IIFE (dist/tessera.global.js, as built)", file: "dist/tessera.global.js", requires: ["dist/tessera.global.js"] },
  { id: "supabase", label: "@supabase/auth-js (GoTrueClient)", entry: "bench/entries/supabase-auth-js.mjs", pkg: "@supabase/auth-js" },
  { id: "auth0", label: "@auth0/auth0-spa-js (createAuth0Client)", entry: "bench/entries/auth0-spa-js.mjs", pkg: "@auth0/auth0-spa-js" },
  { id: "oidc", label: "oidc-client-ts (UserManager)", entry: "bench/entries/oidc-client-ts.mjs", pkg: "oidc-client-ts" },
  { id: "firebase", label: "firebase/auth (initializeAuth + IndexedDB)", entry: "bench/entries/firebase-auth.mjs", pkg: "firebase" },
  { id: "firebase-getauth", label: "firebase/auth (getAuth defaults)", entry: "bench/entries/firebase-auth-getauth.mjs", pkg: "firebase" },
];

/** The one esbuild configuration every entry goes through. */
export const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  // License banners are the same for everyone and not code; drop them so the bytes compare code.
  legalComments: "none",
  define: { "process.env.NODE_ENV": '"production"' },
  write: false,
  metafile: true,
  logLevel: "silent",
};

/** Bundles one entry and returns its sizes plus minified bytes per package (for --detail). */
export async function measureEntry(esbuild, entry, root = ROOT, alias = undefined) {
  const result = await esbuild.build({ ...BUILD_OPTIONS, ...(alias && { alias }), entryPoints: [join(root, entry)], absWorkingDir: root, outdir: join(root, ".bench-out") });
  const output = result.outputFiles.find((file) => file.path.endsWith(".js"));
  const code = output.contents;
  const meta = Object.values(result.metafile.outputs).find((out) => out.entryPoint);
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(meta?.inputs ?? {})) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return {
    minified: code.byteLength,
    gzipped: gzipSync(code, { level: zlib.Z_BEST_COMPRESSION }).byteLength,
    byPackage: [...byPackage].sort((a, b) => b[1] - a[1]),
  };
}

/** Sizes of an already built file, for the IIFE that tsup produces. */
export function measureFile(path) {
  const code = readFileSync(path);
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: zlib.Z_BEST_COMPRESSION }).byteLength, byPackage: null };
}

/**
 * Issue 11's budgets, measured as the issue states them: the ESM bundle a web app gets from
 * createClient + encryptedStorage(indexedDBStorage()) (esbuild --bundle --minify
 * --target=es2020, gzip -9), and dist/tessera.global.js as built (gzip -9).
 */
export const BUDGETS = { esm: 10_240, iife: 9_728 };
const MISSED_BECAUSE =
  "ky stays (the design names it): ky alone is about 5.1 KB of it gzipped; tessera's own client and idb-keyval are the rest";

export async function budgetRows(esbuild, root = ROOT) {
  const rows = [];
  try {
    const result = await esbuild.build({
      entryPoints: [join(root, "bench/entries/tessera.ts")], bundle: true, minify: true, format: "esm", target: "es2020",
      write: false, outdir: join(root, ".bench-out"), logLevel: "silent", absWorkingDir: root,
    });
    const gz = gzipSync(result.outputFiles.find((f) => f.path.endsWith(".js")).contents, { level: zlib.Z_BEST_COMPRESSION }).byteLength;
    rows.push({ label: "budget: ESM a web app gets (esbuild --minify --target=es2020)", gzipped: gz, budget: BUDGETS.esm });
  } catch (error) {
    rows.push({ label: "budget: ESM a web app gets", note: `skipped: ${firstLine(error)}` });
  }
  const iife = join(root, "dist/tessera.global.js");
  if (existsSync(iife)) rows.push({ label: "budget: dist/tessera.global.js as built", gzipped: measureFile(iife).gzipped, budget: BUDGETS.iife });
  else rows.push({ label: "budget: dist/tessera.global.js", note: "skipped: not built (npm run build)" });
  for (const row of rows) {
    if (row.budget === undefined) continue;
    row.note = row.gzipped <= row.budget ? `budget ≤ ${formatCount(row.budget)} B: met` : `budget ≤ ${formatCount(row.budget)} B: missed by ${formatCount(row.gzipped - row.budget)} B (${MISSED_BECAUSE})`;
  }
  return rows;
}

/** Runs every entry; a missing or failing entry becomes a row with a note, never a crash. */
export async function sizeBench(options = {}, root = ROOT) {
  const esbuild = await import("esbuild");
  const measured = [];
  for (const spec of SIZE_ENTRIES) {
    const missing = (spec.requires ?? []).filter((file) => !existsSync(join(root, file)));
    const version = spec.pkg ? versionOf(spec.pkg, root) : spec.id.startsWith("tessera") ? sourceVersion(root) : null;
    if (missing.length > 0) {
      const why = missing.every((file) => file.startsWith("dist/")) ? "not built (npm run build)" : "not written yet";
      measured.push({ spec, version, note: `skipped: ${missing.join(", ")} ${why}` });
      continue;
    }
    try {
      const sizes = spec.file ? measureFile(join(root, spec.file)) : await measureEntry(esbuild, spec.entry, root, spec.alias);
      measured.push({ spec, version, ...sizes });
    } catch (error) {
      measured.push({ spec, version, note: `skipped: ${firstLine(error)}` });
    }
  }
  const reference = measured.find((m) => m.spec.id === "tessera");
  const rows = measured.map((m) => [
    m.spec.label,
    m.version,
    formatCount(m.minified),
    formatCount(m.gzipped),
    m.gzipped == null ? null : (m.gzipped / 1024).toFixed(2),
    formatRatio(m.gzipped, reference?.gzipped),
    m.note ?? null,
  ]);
  const summary = measured.map((m) => ({
    case: m.spec.label,
    result: m.gzipped == null ? null : `${formatBytes(m.gzipped)} gz (${formatBytes(m.minified)} min)`,
    ratio: formatRatio(m.gzipped, reference?.gzipped),
    note: m.note ?? null,
  }));
  for (const b of await budgetRows(esbuild, root)) {
    rows.push([b.label, sourceVersion(root), null, formatCount(b.gzipped), b.gzipped == null ? null : (b.gzipped / 1024).toFixed(2), null, b.note ?? null]);
    summary.push({ case: b.label, result: b.gzipped == null ? null : `${formatCount(b.gzipped)} B gz`, ratio: null, note: b.note ?? null });
  }
  return {
    title: "Size: esbuild --bundle --minify --format=esm --platform=browser --target=es2022, gzip -9",
    columns: ["library", "version", "minified B", "gzipped B", "gzipped KiB", "gzip ratio to tessera", "note"],
    rows,
    summary,
    measured,
    ok: measured.some((m) => m.gzipped != null),
  };
}

function packageOf(input) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match) return match[1];
  return input.startsWith("src/") ? `tessera ${input.split("/").slice(0, 2).join("/")}` : input;
}

/** The compared libraries live in bench/node_modules (bench/package.json), the rest in the root's. */
function versionOf(pkg, root) {
  for (const dir of [join(root, "bench", "node_modules"), join(root, "node_modules")]) {
    try {
      return JSON.parse(readFileSync(join(dir, pkg, "package.json"), "utf8")).version;
    } catch {
      // next
    }
  }
  return null;
}

/** tessera's own rows show the package version. */
function sourceVersion(root) {
  try {
    return JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  } catch {
    return "src";
  }
}

function firstLine(error) {
  const text = error?.errors?.[0]?.text ?? error?.message ?? String(error);
  return text.split("\n")[0];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = parseArgs(process.argv.slice(2));
  try {
    const report = await sizeBench(args);
    printTable(report.title, report.columns, report.rows, { markdown: args.markdown });
    if (args.detail) {
      for (const m of report.measured.filter((entry) => entry.byPackage)) {
        const rows = m.byPackage.slice(0, 8).map(([name, bytes]) => [name, formatBytes(bytes), `${((bytes / m.minified) * 100).toFixed(1)}%`]);
        printTable(`${m.spec.label}: minified bytes by package (before gzip)`, ["package", "minified", "share"], rows, { markdown: args.markdown });
      }
    }
    if (!report.ok) {
      console.error("size: no entry could be bundled");
      process.exitCode = 1;
    }
  } catch (error) {
    console.error(`size: could not run: ${error?.message ?? error}`);
    process.exitCode = 1;
  }
}
