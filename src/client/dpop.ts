import { createStore, get, update } from "idb-keyval";
import { createDpopProof } from "../shared/dpop/create-proof.js";
import { jwkThumbprint, type DpopPublicJwk } from "../shared/dpop/thumbprint.js";
import { hasIndexedDB } from "./runtime.js";

/** The page's DPoP key (RFC 9449): pass it as `createClient({ dpop })`. */
export interface DpopKey {
  /** RFC 7638 thumbprint of the public key: what an app's backend passes to `start` as `dpop: { jkt }`. */
  thumbprint(): Promise<string>;
  /** The public key as a JWK (for a backend that wants the key itself). */
  publicJwk(): Promise<DpopPublicJwk>;
  /** A proof for one request to `url` (`ath` over `token` when the request presents one). */
  proof(method: string, url: string, token?: string): Promise<string>;
  /** Sets the `DPoP` header of `request` (the client's `fetch` and `kyHook` wrappers use it). */
  sign(request: Request, token?: string): Promise<void>;
  /** ky hooks the client installs: a fresh proof on every attempt, the server's nonces remembered. */
  readonly hooks: DpopHooks;
  /**
   * Sends a `request` already signed, through `fetchImpl`, and takes the answer's `DPoP-Nonce`
   * for the next proof to that origin; a `use_dpop_nonce` answer is retried once (`sessions.fetch()`
   * uses it for the app's own API, which may hand out nonces too: RFC 9449 §9).
   */
  send(request: Request, fetchImpl: (request: Request) => Promise<Response>): Promise<Response>;
}

/**
 * The ky hooks of a DpopKey, typed as the plain functions they are (ky's `Hooks` accepts them)
 * rather than with ky's own types: importing ky's declarations into ours would make every user
 * compile them, and they do not compile against @cloudflare/workers-types.
 */
export interface DpopHooks {
  beforeRequest: Array<(request: Request) => Promise<void>>;
  afterResponse: Array<(request: Request, options: unknown, response: Response) => Promise<Response | undefined>>;
}

export interface DpopKeyOptions {
  /**
   * IndexedDB database holding the key pair, beside the storage key (default "tessera-keys");
   * `false` keeps a pair in memory for this object's life (Node, Workers, Deno, tests).
   * Default: IndexedDB where it exists, memory elsewhere.
   */
  database?: string | false;
  /** Clock in ms for `iat`, for tests (default Date.now). */
  now?: () => number;
}

const ECDSA: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const KEY_ID = "ecdsa-p256/dpop/v1";
const pairs: Record<string, Promise<CryptoKeyPair> | undefined> = {};

/**
 * One non-extractable ECDSA P-256 key pair per origin, kept in IndexedDB like the storage key
 * (structured clone keeps the private key non-extractable: script can sign with it while the
 * page runs, never read it). Two tabs creating one at once: `update` keeps the first stored and
 * both read that winner, so every tab of the origin signs with one key.
 */
function loadPair(database: string | false): Promise<CryptoKeyPair> {
  const generate = () => crypto.subtle.generateKey(ECDSA, false, ["sign", "verify"]) as Promise<CryptoKeyPair>;
  if (database === false) return generate();
  const store = createStore(database, "keys");
  const load = async () => {
    const existing = await get<CryptoKeyPair>(KEY_ID, store);
    if (existing) return existing;
    const fresh = await generate();
    await update<CryptoKeyPair>(KEY_ID, (old) => old ?? fresh, store);
    return (await get<CryptoKeyPair>(KEY_ID, store))!;
  };
  // A failure (private mode, quota) is not cached: the next proof tries again.
  return (pairs[database] ??= load().catch((error) => {
    pairs[database] = undefined;
    throw error;
  }));
}

/** The token a request presents: `Authorization: Session`, `X-Session-Token`, or a JSON body's `token` (verify). */
async function presentedToken(request: Request): Promise<string | undefined> {
  const header = /^Session\s+(\S+)/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? request.headers.get("x-session-token");
  if (header) return header;
  if (!/json/.test(request.headers.get("content-type") ?? "")) return undefined;
  const token = (await request.clone().json().catch(() => null))?.token;
  return typeof token === "string" ? token : undefined;
}

/**
 * The DPoP key for a client: `createClient({ baseUrl, dpop: dpopKey() })`. Imported only by apps
 * that bind sessions, so other bundles leave it out.
 */
export function dpopKey(options: DpopKeyOptions = {}): DpopKey {
  const database = options.database ?? (hasIndexedDB() ? "tessera-keys" : false);
  let pair: Promise<CryptoKeyPair> | undefined;
  let jwk: Promise<DpopPublicJwk> | undefined;
  const keys = () => (pair ??= loadPair(database).catch((error) => {
    pair = undefined;
    throw error;
  }));
  const publicJwk = () => (jwk ??= keys().then(async ({ publicKey }) => {
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
    return { kty, crv, x, y } as DpopPublicJwk;
  }));
  /** RFC 9449 §8: the latest nonce each origin sent. */
  const nonces = new Map<string, string>();
  const proof = async (method: string, url: string, token?: string) => {
    const nonce = nonces.get(new URL(url).origin);
    return createDpopProof((await keys()).privateKey, await publicJwk(), { htm: method.toUpperCase(), htu: url, iat: Math.floor((options.now ?? Date.now)() / 1000), ...(token ? { token } : {}), ...(nonce ? { nonce } : {}) });
  };
  const sign = async (request: Request, token?: string) => void request.headers.set("dpop", await proof(request.method, request.url, token));
  const afterResponse: DpopHooks["afterResponse"][number] = async (request, options, response) => {
    const nonce = response.headers.get("dpop-nonce");
    if (!nonce) return;
    const known = nonces.get(new URL(request.url).origin);
    nonces.set(new URL(request.url).origin, nonce);
    // RFC 9449 §8: `use_dpop_nonce` asks for one more try carrying the new nonce. Once: a
    // server that refuses its own nonce again gets its answer passed on. `request` is an
    // unread copy of what was sent (ky keeps one).
    if (response.status === 401 && nonce !== known && /use_dpop_nonce/.test(response.headers.get("www-authenticate") ?? "")) {
      const again = request.clone();
      await sign(again, await presentedToken(again));
      return (options as unknown as { fetch: typeof fetch }).fetch(again);
    }
  };
  return {
    thumbprint: async () => jwkThumbprint(await publicJwk()),
    publicJwk,
    proof,
    sign,
    hooks: {
      // ky runs beforeRequest before every attempt, retries included: each carries its own jti.
      beforeRequest: [async (request) => sign(request, await presentedToken(request))],
      afterResponse: [afterResponse],
    },
    async send(request, fetchImpl) {
      const unsent = request.clone();
      const response = await fetchImpl(request);
      return (await afterResponse(unsent, { fetch: fetchImpl }, response)) ?? response;
    },
  };
}
