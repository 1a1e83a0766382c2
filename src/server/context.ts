import type { ProductTable } from "./config/products.js";
import type { AccessKeys, Caller } from "./http/access.js";
import type { DpopNonces } from "./dpop/nonce.js";
import type { Keyring } from "./keys/keyring.js";
import type { SessionStore } from "./stores/types.js";
import type { DataCipher } from "./tokens/data-cipher.js";
import type { KeyedLock } from "./keyed-lock.js";

/** Everything a handler needs, built once by createSessionServer. */
export interface ServerContext {
  issuer: string;
  keyring: Keyring;
  cipher: DataCipher;
  store: SessionStore;
  products: ProductTable;
  access: AccessKeys;
  graceMs: number;
  maxBodyBytes: number;
  trackLimits: { events: number; dataLength: number };
  /** One track of a session at a time in this process, so its cap is counted exactly (handlers/track.ts). */
  trackLock: KeyedLock;
  /** Key that seals stored idempotent answers (HKDF of the secret, its own label). */
  idempotencyKey: () => Promise<CryptoKey>;
  /** Server nonces for DPoP proofs (RFC 9449 §8), or null when proofs need none. */
  dpopNonces: DpopNonces | null;
  now: () => number;
  onError: (error: unknown) => void;
}

/** One request as the handlers see it. */
export interface RequestContext {
  request: Request;
  url: URL;
  caller: Caller | null;
  /** Path parameters of the matched route. */
  params: Record<string, string>;
}

export type Handler = (server: ServerContext, req: RequestContext) => Promise<Response>;
