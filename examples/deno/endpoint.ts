import { createSessionServer, denoKvStore, type ProductInput, type SessionServer, type SessionServerOptions } from "tessera-sessions/server";

/** The session configs this endpoint serves (the reference page's example). */
export const PRODUCTS: ProductInput[] = [
  {
    tag: "my-product-tag",
    envs: ["dev", "snd", "prd"],
    sessions: [
      {
        tag: "session-tag",
        schema: { userId: "string", details: { username: "string?", email: "string" } },
        selector: "$Session{userId}",
        expiry: 15,
        period: "mins",
        refresh: { expiry: 30, period: "days" },
      },
    ],
  },
];

export interface EndpointEnv {
  /** The endpoint's origin: the `iss` of every token. */
  issuer: string;
  /** At least 32 bytes (generateSecret()); the data-encryption key is derived from it. */
  secret: string;
  /** Private signing JWKs, newest first (generateSigningKey()). */
  signingKeys: SessionServerOptions["keys"];
  /** `tsk_...` keys of the backends allowed to start sessions. */
  accessKeys: string[];
}

/**
 * The sessions endpoint on Deno KV. Deno KV (unlike Workers KV) is strongly consistent and
 * has atomic check-and-set, so it can hold the rotation state itself: no SQL database needed.
 */
export function createEndpoint(kv: Deno.Kv, env: EndpointEnv): SessionServer {
  return createSessionServer({
    issuer: env.issuer,
    secret: env.secret,
    keys: env.signingKeys,
    store: denoKvStore(kv),
    products: PRODUCTS,
    accessKeys: { secret: env.accessKeys },
    onError: (error) => console.error("tessera:", error instanceof Error ? error.name : "error"),
  });
}
