import { checkDpopProof, type ProofCheck } from "../../shared/dpop/check-proof.js";
import { DPOP_HEADER, DPOP_WINDOW_SECONDS } from "../../shared/dpop/constants.js";
import type { ServerContext } from "../context.js";
import { dpopInvalid, dpopNonce, dpopRequired } from "./errors.js";

export interface ProofSource {
  proof: string | null;
  htm: string;
  /** The URLs the proof may name (RFC 9449 §4.3 (9)). */
  htu: string[];
  /** Relayed by an app's backend: made for the backend's URL, so it cannot carry our nonce. */
  forwarded?: boolean;
}

/** The proof of this request: its DPoP header, for its method and URL (or the issuer's origin behind a proxy). */
export function proofOfRequest(server: ServerContext, request: Request): ProofSource {
  const url = new URL(request.url);
  const htu = [url.href];
  try {
    // Behind a TLS-terminating proxy request.url may say http://internal:8787; the issuer names the public origin.
    htu.push(new URL(url.pathname, server.issuer).href);
  } catch {
    // an issuer that is not a URL: only the request's own URL counts
  }
  return { proof: request.headers.get(DPOP_HEADER), htm: request.method, htu };
}

/**
 * A valid, unreplayed proof from the key `jkt` (any key when `jkt` is undefined: binding at
 * start), with `ath` over `token` when one is presented. Throws DPOP_REQUIRED, DPOP_INVALID or
 * DPOP_NONCE (401). The `jti` is recorded in the store until the proof's window closes, so a
 * proof is good for one request, on every instance sharing the store (RFC 9449 §11.1).
 */
export async function requireProof(server: ServerContext, source: ProofSource, jkt: string | undefined, token?: string): Promise<Extract<ProofCheck, { valid: true }>> {
  if (source.proof === null || source.proof === "") {
    throw dpopRequired("this session is bound to a key (DPoP, RFC 9449): the request needs a DPoP proof from that key");
  }
  // RFC 9449 §4.3 (1): exactly one proof; Headers joins repeated headers with ", ".
  if (source.proof.includes(",")) throw dpopInvalid("more than one DPoP header");
  const now = server.now();
  const check = await checkDpopProof(source.proof, { htm: source.htm, htu: source.htu, now: Math.floor(now / 1000), ...(token !== undefined ? { token } : {}) });
  if (!check.valid) throw dpopInvalid(check.problem);
  if (jkt !== undefined && check.jkt !== jkt) throw dpopInvalid("the proof is signed by another key than the session's");
  if (server.dpopNonces && !source.forwarded && !(await server.dpopNonces.check(check.nonce, now))) throw dpopNonce(await server.dpopNonces.issue(now));
  const fresh = await server.store.claimProofJti(`${check.jkt}.${check.jti}`, (check.iat + DPOP_WINDOW_SECONDS + 1) * 1000, now);
  if (!fresh) throw dpopInvalid("the proof was already used (replayed jti)");
  return check;
}
