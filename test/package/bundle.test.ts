import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

// The bundle report (STYLE.md §2, as jose's): what a browser app pulls in from tessera must
// hold nothing of the server: no src/server, no jose (the client never signs or verifies),
// no SQL, no Node built-in (issue 4, part 7).
const root = resolve(import.meta.dirname, "../..");

async function bundle(contents: string, format: "esm" | "iife") {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: "entry.ts", loader: "ts" },
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    format,
    platform: "browser",
    target: "es2022",
    logLevel: "silent",
  });
  // Only inputs that left bytes in the output: the metafile's input list also names modules
  // that tree-shaking dropped.
  const [output] = Object.values((result.metafile as Metafile).outputs);
  const inputs = Object.entries(output!.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([path]) => path);
  return { inputs, text: result.outputFiles[0]!.text };
}

const SQL = /CREATE TABLE|INSERT INTO|DELETE FROM|UPDATE tessera_|tessera_sessions|pg_advisory/;

function expectClientOnly({ inputs, text }: { inputs: string[]; text: string }) {
  // Not vacuous: the client's own code and its HTTP dependency are there.
  expect(inputs.some((p) => p.startsWith("src/client/"))).toBe(true);
  expect(inputs.some((p) => p.includes("node_modules/ky/"))).toBe(true);
  expect(inputs.filter((p) => p.startsWith("src/server/") || p.startsWith("src/cli/") || p.startsWith("src/console/"))).toEqual([]);
  expect(inputs.filter((p) => p.includes("node_modules/jose/"))).toEqual([]);
  expect(inputs.filter((p) => p.startsWith("node:") || /^(fs|path|crypto|http|stream|os)$/.test(p))).toEqual([]);
  expect(text).not.toMatch(SQL);
  expect(text).not.toMatch(/ERR_JW[SETK]|ERR_JOSE/);
  // Nothing of the operator console (its page is bundled into tessera-sessions/console only).
  expect(text).not.toMatch(/Sessions console|tessera-console-ui/);
}

describe("browser bundle", () => {
  it("ESM: tessera + tessera/storage pull in nothing of the server", async () => {
    const result = await bundle(`export * from "./src/index.ts"; export * from "./src/storage/index.ts";`, "esm");
    expectClientOnly(result);
    expect(result.inputs.some((p) => p.includes("node_modules/idb-keyval/"))).toBe(true);
  });

  it("IIFE source (src/browser.ts) pulls in nothing of the server", async () => {
    expectClientOnly(await bundle(`export * from "./src/browser.ts";`, "iife"));
  });

  it("the built dist/tessera.global.js holds no SQL, no jose and no server code, and stays small", () => {
    const text = readFileSync(resolve(root, "dist/tessera.global.js"), "utf8");
    // src/browser.ts defines the global itself (no esbuild globalName wrapper).
    expect(text).toMatch(/globalThis\.Tessera\s*=\s*\{/);
    expect(text).not.toMatch(SQL);
    expect(text).not.toMatch(/ERR_JW[SETK]|ERR_JOSE/);
    // The design's budget: about 7 KB of dependencies plus our client, under the anchors' 17.7 KB.
    expect(gzipSync(text).length).toBeLessThan(17_700);
  });

  it("tessera/verify carries jose's verify code only: no signing, no encryption", async () => {
    const { inputs } = await bundle(`export * from "./src/verify/index.ts";`, "esm");
    const jose = inputs.filter((p) => p.includes("node_modules/jose/"));
    expect(jose.some((p) => /jwt\/verify\.js$|jws_verify\.js$/.test(p))).toBe(true);
    expect(jose.filter((p) => /sign|crypt|jwe|generate/.test(p.split("node_modules/jose/")[1]!))).toEqual([]);
    expect(inputs.filter((p) => p.startsWith("src/server/"))).toEqual([]);
  });

  it("tessera/node stays out of the neutral entries, and holds only the node:http adapter", async () => {
    // The entries browsers, Workers and Deno import never reach src/node (it needs node:http).
    for (const entry of ["src/index.ts", "src/storage/index.ts", "src/server/index.ts", "src/verify/index.ts", "src/browser.ts"]) {
      const { inputs } = await bundle(`export * from "./${entry}";`, "esm");
      expect(inputs.filter((p) => p.startsWith("src/node/")), entry).toEqual([]);
    }
    // The built adapter imports Node built-ins (http, and cluster for `workers`) and nothing
    // else: no server, client or jose.
    const esm = readFileSync(resolve(root, "dist/node.js"), "utf8");
    // (esbuild keeps one import statement per source file: node:cluster appears once per file using it.)
    expect([...new Set([...esm.matchAll(/from\s*"([^"]+)"/g)].map((m) => m[1]))].sort()).toEqual(["node:cluster", "node:http"]);
    expect(esm).toMatch(/export\s*\{[^}]*startCluster/);
    expect(esm).toMatch(/export\s*\{[^}]*nodeListener[^}]*serveNode|export\s*\{[^}]*serveNode[^}]*nodeListener/);
  });

  it("hono, express and cloudflare:workers are imported by the built files of their own entry only", () => {
    const files = readdirSync(resolve(root, "dist")).filter((f) => /\.(c?js)$/.test(f) && f !== "cli.js" && f !== "tessera.global.js");
    const importers = (name: string) =>
      files.filter((f) => new RegExp(`(from\\s*|require\\(|import\\()["']${name}["']`).test(readFileSync(resolve(root, "dist", f), "utf8")));
    // The middleware entries use their framework's types only, so nothing at run time loads it:
    // an app that imports neither entry installs neither framework.
    expect(importers("hono")).toEqual([]);
    expect(importers("express")).toEqual([]);
    expect(importers("cloudflare:workers").sort()).toEqual(["worker.cjs", "worker.js"]);
  });
});
