import { describe, expect, it } from "vitest";
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, parseCli } from "../../src/cli/args.js";
import { CliError } from "../../src/cli/cli-error.js";

function usageError(argv: string[]): CliError {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parseCli", () => {
  it("gives dev its defaults", () => {
    expect(parseCli(["dev"])).toEqual({
      kind: "dev",
      options: { port: DEFAULT_PORT, host: DEFAULT_HOST, config: undefined, dataDir: DEFAULT_DATA_DIR, cors: [] },
    });
    expect(DEFAULT_PORT).toBe(8787);
    expect(DEFAULT_HOST).toBe("127.0.0.1");
  });

  it("reads every dev flag, in both --flag value and --flag=value forms", () => {
    expect(parseCli(["dev", "--port", "0", "--host=::1", "--config", "a.json", "--data-dir=/tmp/x", "--workers", "2"])).toEqual({
      kind: "dev",
      options: { port: 0, host: "::1", config: "a.json", dataDir: "/tmp/x", cors: [], workers: 2 },
    });
  });

  it("takes --cors more than once, as origins (a trailing slash dropped)", () => {
    const command = parseCli(["dev", "--cors", "https://app.example/", "--cors=http://10.0.0.5:3000", "--cors", "*"]);
    expect(command.kind === "dev" && command.options.cors).toEqual(["https://app.example", "http://10.0.0.5:3000", "*"]);
  });

  it("answers --help, -h, help and --version, -v before anything else", () => {
    expect(parseCli(["--help"]).kind).toBe("help");
    expect(parseCli(["dev", "-h"]).kind).toBe("help");
    expect(parseCli(["help"]).kind).toBe("help");
    expect(parseCli(["--version"]).kind).toBe("version");
    expect(parseCli(["-v"]).kind).toBe("version");
  });

  it("reads serve's options, with production defaults", () => {
    expect(parseCli(["serve"])).toEqual({
      kind: "serve",
      options: { port: 8787, host: "127.0.0.1", config: "tessera.config.json", keys: undefined, store: undefined, workers: 1, shutdownTimeoutMs: 10_000 },
    });
    const parsed = parseCli(["serve", "--workers", "auto", "--store", "postgres://db/x", "--keys", "k.json", "--shutdown-timeout", "2.5"]);
    expect(parsed).toMatchObject({ options: { store: "postgres://db/x", keys: "k.json", shutdownTimeoutMs: 2_500 } });
    expect((parsed as { options: { workers: number } }).options.workers).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [["deploy"], /^unknown command "deploy"/],
    [["serve", "--workers", "0"], /^--workers must be "auto" or a whole number from 1 to 256, got "0"$/],
    [["serve", "--shutdown-timeout", "soon"], /^--shutdown-timeout must be a number of seconds/],
    [["serve", "--data-dir", "x"], /^option --data-dir is not for tessera serve$/],
    [["dev", "--store", "memory:"], /^option --store is not for tessera dev$/],
    [[], /^missing command/],
    [["dev", "--bogus"], /^unknown option --bogus \(try: tessera --help\)$/],
    [["dev", "-x"], /^unknown option -x/],
    [["dev", "--port"], /^option --port needs a value$/],
    [["dev", "--help=yes"], /^option --help takes no value$/],
    [["dev", "--port", "80a"], /^--port must be a whole number from 0 to 65535, got "80a"$/],
    [["dev", "--port", "70000"], /^--port must be/],
    [["dev", "--port", "-1"], /needs a value|--port must be/],
    [["dev", "--host", ""], /^--host needs a value$/],
    [["dev", "extra"], /^unexpected argument "extra"/],
    [["dev", "--cors", "app.example"], /^--cors needs an origin like http:\/\/localhost:5173/],
    [["dev", "--cors", "https://app.example/login"], /^--cors needs an origin/],
    [["dev", "--workers", "0"], /^--workers must be "auto" or a whole number from 1 to 256, got "0"$/],
    [["dev", "--workers", "two"], /^--workers must be/],
  ])("refuses %j with one line and exit code 2", (argv, message) => {
    const error = usageError(argv as string[]);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });
});
