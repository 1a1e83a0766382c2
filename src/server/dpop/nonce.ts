import { utf8 } from "../../shared/base64url.js";
import { DPOP_WINDOW_SECONDS } from "../../shared/dpop/constants.js";
import { open, seal, serverKey } from "../tokens/primitives.js";

export interface DpopNonces {
  /** The nonce to hand out now: one sealed per HAND_OUT_MS, reused until then. */
  issue(now: number): Promise<string>;
  /** True for a nonce this server issued within the last DPOP_WINDOW_SECONDS. */
  check(nonce: string | undefined, now: number): Promise<boolean>;
}

const AAD = "tessera dpop-nonce";

/**
 * How long one sealed nonce is handed out before the next: a fifth of its life, so a nonce a
 * client receives has at least 4 of its 5 minutes left, and a busy server seals one a minute
 * rather than one per answer.
 */
const HAND_OUT_MS = (DPOP_WINDOW_SECONDS * 1000) / 5;

/**
 * Stateless server nonces (RFC 9449 §8): the issue time sealed with AES-GCM under a key derived
 * from the server secret, so any instance sharing the secret accepts it and no store is written.
 * A nonce bounds how long a proof made in advance stays usable, whatever the client's clock says.
 */
export function createDpopNonces(secret: string): DpopNonces {
  let key: Promise<CryptoKey> | undefined;
  const nonceKey = () => (key ??= serverKey(utf8(secret), "tessera dpop-nonces"));
  let current: { at: number; nonce: Promise<string> } | undefined;
  return {
    issue(now) {
      // `now < at`: a clock set back must not keep handing out a nonce from its future.
      if (current === undefined || now - current.at >= HAND_OUT_MS || now < current.at) {
        const nonce = nonceKey().then((k) => seal(k, String(now), AAD));
        // A failed seal is not kept: the next answer tries again.
        nonce.catch(() => (current = undefined));
        current = { at: now, nonce };
      }
      return current.nonce;
    },
    async check(nonce, now) {
      if (typeof nonce !== "string" || nonce.length > 200) return false;
      const issuedAt = Number(await open(await nonceKey(), nonce, AAD));
      return Number.isFinite(issuedAt) && issuedAt <= now && now - issuedAt <= DPOP_WINDOW_SECONDS * 1000;
    },
  };
}
