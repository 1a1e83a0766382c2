import type { D1Like } from "tessera-sessions/server";
import type { KVNamespaceLike } from "tessera-sessions/storage";

/**
 * The Worker's bindings (wrangler.jsonc). Secrets are set with `wrangler secret put`, and for
 * `wrangler dev` in `.dev.vars` (see `.dev.vars.example`).
 */
export interface Env {
  /** D1: the sessions, refresh-token hashes, users and activity (rotation by compare-and-set). */
  DB: D1Like;
  /** KV: the /app/* side's encrypted tokens and the cached JWKS. */
  TOKENS: KVNamespaceLike;
  /** The endpoint's public origin, the `iss` claim. */
  TESSERA_ISSUER: string;
  /** The env (of the product's envs) the /app/* side starts its sessions in. */
  TESSERA_ENV: string;
  // The endpoint's secrets, in keysFromEnv's format (`npx tessera keys` writes all four).
  /** Secret: a JSON array of private signing JWKs, newest (signing) first. */
  TESSERA_SIGNING_KEYS: string;
  /** Secret: 32+ bytes, base64url; the server derives the session-data encryption key from it. */
  TESSERA_SECRET: string;
  /** Secret: `tsk_...` access keys of the backends that may start sessions, comma-separated. */
  TESSERA_SECRET_KEYS: string;
  /** Optional: `tpk_...` publishable keys (browsers: refresh/verify/revoke only), comma-separated. */
  TESSERA_PUBLISHABLE_KEYS?: string;
  /** Secret: 32+ bytes; the AES-GCM key of the tokens the /app/* side keeps in KV (HKDF). */
  TOKENS_SECRET: string;
}
