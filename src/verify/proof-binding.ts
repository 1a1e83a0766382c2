import { checkDpopProof } from "../shared/dpop/check-proof.js";
import { DPOP_HEADER, DPOP_WINDOW_SECONDS } from "../shared/dpop/constants.js";
import type { SessionClaims } from "./claims.js";

/** Remembers proofs seen, so one is good for one request (RFC 9449 §11.1). */
export interface ProofReplayCache {
  /** True when `key` was not seen before (or its record expired); it is then kept until `expiresAt` (ms). */
  claim(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

export interface BindingInput {
  /** The request that presented the token: its DPoP header, method and URL. */
  request?: Request;
  /** Or the proof with the method and URL of the request that carried it. */
  dpop?: { proof: string | null | undefined; method: string; url: string };
  replayCache?: ProofReplayCache;
}

const LIMIT = 100_000;
const seen = new Map<string, number>();

/**
 * This process's replay cache. One instance of an app sees every proof sent to it; a fleet
 * behind a load balancer passes a shared `replayCache` (docs/dpop.md), or a proof could be
 * played once per instance within its window.
 */
const memoryCache: ProofReplayCache = {
  claim(key, expiresAt, now) {
    if ((seen.get(key) ?? -Infinity) > now) return false;
    if (seen.size >= LIMIT) for (const [k, until] of seen) if (until <= now) seen.delete(k);
    // Still full of live records: refusing is safer than forgetting one.
    if (seen.size >= LIMIT) return false;
    seen.set(key, expiresAt);
    return true;
  },
};

/**
 * For a token bound to a key (`cnf.jkt`): true only with a valid, unreplayed proof from that key
 * for this request, with `ath` over the token. An unbound token needs none: true.
 */
export async function proofBindsToken(claims: SessionClaims, token: string, input: BindingInput, nowMs: number): Promise<boolean> {
  const jkt = claims.cnf?.jkt;
  if (jkt === undefined) return true;
  const source = input.dpop ?? (input.request && { proof: input.request.headers.get(DPOP_HEADER), method: input.request.method, url: input.request.url });
  if (!source || typeof source.proof !== "string" || source.proof.includes(",")) return false;
  const check = await checkDpopProof(source.proof, { htm: source.method.toUpperCase(), htu: [source.url], token, now: Math.floor(nowMs / 1000) });
  if (!check.valid || check.jkt !== jkt) return false;
  return (input.replayCache ?? memoryCache).claim(`${check.jkt}.${check.jti}`, (check.iat + DPOP_WINDOW_SECONDS + 1) * 1000, nowMs);
}
