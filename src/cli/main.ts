import cluster from "node:cluster";
import { HELP, parseCli } from "./args.js";
import { isCliError, oneLine } from "./cli-error.js";
import { runDev, type Output } from "./dev.js";
import { serveCommand } from "./serve/main.js";
import { runKeys } from "./keys/run-keys.js";
import { readVersion } from "./version.js";

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The `tessera` program. Exit codes: 0 ok, 1 runtime problem, 2 usage mistake. */
async function main(argv: string[]): Promise<void> {
  const command = parseCli(argv);
  if (command.kind === "help") return void process.stdout.write(HELP);
  if (command.kind === "version") return output.out(`tessera ${readVersion()}`);
  if (command.kind === "serve") return serveCommand(command.options);
  if (command.kind === "keys") return runKeys(command.options, output);

  const starting = runDev(command.options, output);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl+C while closing means "now" (not in a worker: Ctrl+C reaches it, and then the
    // primary's SIGTERM, while it writes its queued activity).
    if (stopping) {
      if (cluster.isWorker) return;
      process.exit(1);
    }
    stopping = true;
    output.out(`\n${signal}: stopping tessera dev`);
    // A signal during start-up waits for it, then closes what was opened.
    starting.then(
      (dev) =>
        dev.close().then(
          () => process.exit(0),
          (error: unknown) => {
            output.err(`tessera: error while stopping: ${oneLine(error)}`);
            process.exit(1);
          },
        ),
      () => {}, // start-up failed: main's catch reports it
    );
  };
  // Installed before the banner is printed: whoever reads the URL may signal at once.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await starting;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (isCliError(error)) {
    output.err(`tessera: ${error.message}`);
    process.exit(error.exitCode);
  }
  // Not ours to word: still one line, no stack.
  output.err(`tessera: unexpected error: ${oneLine(error)}`);
  process.exit(1);
});
