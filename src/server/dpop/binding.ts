import type { SessionConfig } from "../config/types.js";
import type { ServerContext } from "../context.js";
import type { SessionClaims } from "../../verify/claims.js";
import { dpopRequired } from "./errors.js";
import { proofOfRequest, requireProof, type ProofSource } from "./require-proof.js";
import { invalidArgument } from "../../shared/errors.js";

const JKT = /^[A-Za-z0-9_-]{43}$/;

/**
 * The key a new session is bound to, for a config with `binding: "dpop"`: the `dpop.jkt` an
 * app's backend passes on from the page (RFC 7638 thumbprint), or the thumbprint of the start
 * request's own DPoP proof. Undefined for an unbound config: a proof there is ignored, as before.
 */
export async function bindingForStart(server: ServerContext, config: SessionConfig, request: Request, body: Record<string, unknown>): Promise<string | undefined> {
  if (config.binding !== "dpop") return undefined;
  const given = body.dpop as { jkt?: unknown } | undefined;
  if (given !== undefined) {
    if (typeof given !== "object" || given === null || typeof given.jkt !== "string" || !JKT.test(given.jkt)) {
      throw invalidArgument("dpop.jkt", "must be the base64url SHA-256 JWK thumbprint (RFC 7638) of the page's key");
    }
    return given.jkt;
  }
  const source = proofOfRequest(server, request);
  if (source.proof === null) {
    throw dpopRequired(`"${config.tag}" sessions are bound to a key (binding: "dpop"): send a DPoP proof, or dpop: { jkt } from your backend`);
  }
  return (await requireProof(server, source, undefined)).jkt;
}

/**
 * For a token whose claims carry `cnf.jkt`: the proof from that key, with `ath` over the token.
 * A secret-key caller (an app's backend) may forward the proof its own request carried, with
 * that request's method and URL, as `dpop: { proof, method, url }` in the body.
 */
export async function requireTokenProof(
  server: ServerContext,
  request: Request,
  claims: SessionClaims,
  token: string,
  forwarded?: { body: Record<string, unknown>; secretCaller: boolean },
): Promise<void> {
  const jkt = claims.cnf?.jkt;
  if (jkt === undefined) return;
  let source: ProofSource = proofOfRequest(server, request);
  const relay = forwarded?.body.dpop as { proof?: unknown; method?: unknown; url?: unknown } | undefined;
  if (relay !== undefined && forwarded?.secretCaller) {
    if (typeof relay !== "object" || relay === null || typeof relay.proof !== "string" || typeof relay.method !== "string" || typeof relay.url !== "string") {
      throw invalidArgument("dpop", "must be { proof, method, url } of the request that carried the token");
    }
    source = { proof: relay.proof, htm: relay.method.toUpperCase(), htu: [relay.url], forwarded: true };
  }
  await requireProof(server, source, jkt, token);
}
