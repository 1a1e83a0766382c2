import type { JWK } from "jose";
import { ENV_KEYS, keysFromEnv } from "../../server/keys/from-env.js";
import { generateAccessKey, generateSecret, generateSigningKey } from "../../server/keys/generate.js";
import { createKeyring } from "../../server/keys/keyring.js";
import type { SigningAlg } from "../../server/config/types.js";
import { isSessionError } from "../../shared/errors.js";
import { CliError } from "../cli-error.js";
import type { SecretsEnv } from "./env-file.js";

/** Fresh production secrets: one signing key, the data secret, one secret and one publishable access key. */
export async function newSecrets(alg: SigningAlg): Promise<SecretsEnv> {
  return {
    [ENV_KEYS.signingKeys]: JSON.stringify([await generateSigningKey(alg)]),
    [ENV_KEYS.secret]: generateSecret(),
    [ENV_KEYS.secretKeys]: generateAccessKey("secret"),
    [ENV_KEYS.publishableKeys]: generateAccessKey("publishable"),
  } as SecretsEnv;
}

/**
 * Rotation step 1: a new signing key in front (it signs from the next deploy on), every older
 * key kept behind it so tokens they signed still verify. The other secrets are kept as they are.
 */
export async function rotateSecrets(env: Record<string, string>, source: string, alg: SigningAlg | undefined): Promise<SecretsEnv> {
  const keys = checked(env, source);
  const newest = await generateSigningKey(alg ?? (keys[0]!.alg as SigningAlg));
  return withKeys(env, [newest, ...keys]);
}

/** Rotation step 3, once the old keys' tokens have expired: only the newest signing key is kept. */
export function pruneSecrets(env: Record<string, string>, source: string): SecretsEnv {
  return withKeys(env, checked(env, source).slice(0, 1));
}

/** The signing keys' ids, newest (signing) first. */
export const kidsOf = (env: SecretsEnv): string[] => (JSON.parse(env[ENV_KEYS.signingKeys]) as JWK[]).map((k) => k.kid!);

/** The input goes through keysFromEnv and the server's own key checks, naming the variable at fault. */
function checked(env: Record<string, string>, source: string): JWK[] {
  try {
    const { keys } = keysFromEnv(env);
    createKeyring(keys);
    return keys;
  } catch (error) {
    if (isSessionError(error)) throw new CliError(`${source}: ${error.message.replace(/^keys\[/, `${ENV_KEYS.signingKeys}[`)}`);
    throw error;
  }
}

function withKeys(env: Record<string, string>, keys: JWK[]): SecretsEnv {
  return {
    [ENV_KEYS.signingKeys]: JSON.stringify(keys),
    [ENV_KEYS.secret]: env[ENV_KEYS.secret]!,
    [ENV_KEYS.secretKeys]: env[ENV_KEYS.secretKeys]!,
    [ENV_KEYS.publishableKeys]: env[ENV_KEYS.publishableKeys] ?? "",
  } as SecretsEnv;
}
