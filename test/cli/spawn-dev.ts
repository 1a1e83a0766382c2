import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const cliFile = join(root, "dist", "cli.js");
const builtFiles = [cliFile, join(root, "dist", "tessera.global.js")];

/**
 * The CLI tests run the built program, as a user would. Build once when dist/ is missing
 * (`npm test` builds first); a lock dir keeps two test files from running tsup at once.
 */
export async function ensureBuilt(): Promise<void> {
  if (builtFiles.every((f) => existsSync(f))) return;
  const lock = join(tmpdir(), "tessera-cli-test-build.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
      if (builtFiles.every((f) => existsSync(f))) return;
    }
  }
  try {
    if (builtFiles.every((f) => existsSync(f))) return;
    const result = spawnSync("npx", ["tsup"], { cwd: root, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`npx tsup failed:\n${result.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function tempDir(prefix = "tessera-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface DevProcess {
  child: ChildProcess;
  url: string;
  secretKey: string;
  publishableKey: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/cli.js ...args` in `cwd` to completion (for commands that exit). */
export function runCli(args: string[], cwd: string, timeoutMs = 15_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliFile, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tessera ${args.join(" ")} did not exit; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Starts `tessera dev` and waits for the banner (URL and both keys). */
export function startDev(args: string[], cwd: string, timeoutMs = 15_000): Promise<DevProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliFile, "dev", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tessera dev printed no banner; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`tessera dev exited with ${code}; stderr: ${stderr}`));
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const secretKey = /secret key\s+(tsk_\S+)/.exec(stdout)?.[1];
      const publishableKey = /publishable key\s+(tpk_\S+)/.exec(stdout)?.[1];
      if (url && secretKey && publishableKey) {
        clearTimeout(timer);
        resolve({
          child,
          url,
          secretKey,
          publishableKey,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = "SIGTERM") => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

export const seedStart = {
  product: "my-product-tag",
  env: "snd",
  tag: "session-tag",
  data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } },
};

export async function post(url: string, key: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
