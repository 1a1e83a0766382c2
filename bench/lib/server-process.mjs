// Starts an HTTP server as a child process and waits for it to print its URL. The floor and
// `tessera dev` both run this way, so server and load generator get a core each (2-core
// machines) and neither shares an event loop with autocannon.
import { spawn } from "node:child_process";

const URL_PATTERN = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/;

/**
 * @param {string} command e.g. process.execPath
 * @param {string[]} args
 * @param {{ cwd?: string, env?: Record<string,string>, timeoutMs?: number, ready?: RegExp }} [options]
 *   `ready`: also wait for this in the output (e.g. a key printed after the URL)
 * @returns {Promise<{ url: string, pid: number, output: () => string, stop: () => Promise<void> }>}
 */
export function startServerProcess(command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // If the bench itself dies, do not leave the server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    }
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${args.join(" ")}: no URL printed within ${options.timeoutMs ?? 15_000} ms\n${output.slice(-2000)}`));
    }, options.timeoutMs ?? 15_000);
    let started = false;
    const onData = (chunk) => {
      // Keep draining (a child that logs every request would block on a full pipe) but
      // keep only the tail: a load run can log hundreds of thousands of lines.
      output = (output + chunk).slice(-65_536);
      if (started) return;
      const match = URL_PATTERN.exec(output);
      if (match && (!options.ready || options.ready.test(output))) {
        started = true;
        clearTimeout(timer);
        resolve({ url: match[0], pid: child.pid, output: () => output, stop });
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      output = (output + chunk).slice(-65_536);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited (${signal ?? code}) before printing a URL\n${output.slice(-2000)}`));
    });
  });
}
