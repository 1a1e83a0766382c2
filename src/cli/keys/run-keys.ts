import { readFileSync } from "node:fs";
import type { SigningAlg } from "../../server/config/types.js";
import { CliError, oneLine } from "../cli-error.js";
import type { Output } from "../dev.js";
import { formatSecrets, parseSecrets, type KeysFormat } from "./env-file.js";
import { kidsOf, newSecrets, pruneSecrets, rotateSecrets } from "./secrets.js";

export interface KeysOptions {
  action: "new" | "rotate" | "prune";
  format: KeysFormat;
  alg: SigningAlg | undefined;
  /** The current secrets (rotate, prune). */
  input: string | undefined;
}

/**
 * `tessera keys`: the secrets on stdout (redirect them into a file or a secret store), and one
 * line on stderr naming the signing keys by kid, so the secrets themselves are never mixed with
 * messages.
 */
export async function runKeys(options: KeysOptions, output: Output): Promise<void> {
  let env;
  if (options.action === "new") {
    env = await newSecrets(options.alg ?? "ES256");
  } else {
    const source = options.input!;
    let text: string;
    try {
      text = readFileSync(source, "utf8");
    } catch (error) {
      throw new CliError(`cannot read ${source} (${oneLine(error)})`);
    }
    const current = parseSecrets(text, source);
    env = options.action === "rotate" ? await rotateSecrets(current, source, options.alg) : pruneSecrets(current, source);
  }
  const text = formatSecrets(env, options.format);
  const [signing, ...verifying] = kidsOf(env);
  output.err(`tessera keys: signing key ${signing}${verifying.length ? `; still verifying ${verifying.join(", ")}` : ""}`);
  output.out(text.trimEnd());
}
