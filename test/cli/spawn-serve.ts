import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../src/server/index.js";
import { cliFile } from "./spawn-dev.js";

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the process ended. */
  exited: Promise<number | null>;
}

/** A config (with a product tag of its own, so runs sharing one PostgreSQL never mix) and a keys file, as `tessera keys` writes it. */
export async function serveFolder(dir: string, product = `p-${Math.random().toString(36).slice(2, 10)}`) {
  const secretKey = generateAccessKey("secret");
  const config = {
    issuer: "https://sessions.example.test",
    products: [{ tag: product, envs: ["prd"], sessions: [{ tag: "web", schema: { userId: "string" }, selector: "$Session{userId}", expiry: 15, period: "mins" }] }],
  };
  writeFileSync(join(dir, "tessera.config.json"), JSON.stringify(config));
  const keys = { TESSERA_SIGNING_KEYS: JSON.stringify([await generateSigningKey()]), TESSERA_SECRET: generateSecret(), TESSERA_SECRET_KEYS: secretKey };
  writeFileSync(join(dir, "keys.json"), JSON.stringify(keys), { mode: 0o600 });
  return { secretKey, keys, scope: { product, env: "prd", tag: "web" } };
}

/** Starts `node <cli> serve ...args` and resolves once it logged its URL. */
export function startServe(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, cli = cliFile): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, "serve", ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tessera serve did not start:\n${out}\n${err}`)), 20_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk;
      const url = /"msg":"listening"[^\n]*"url":"([^"]+)"/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stdout: () => out, stderr: () => err, exited });
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tessera serve exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}
