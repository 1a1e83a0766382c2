import { d1Store, keysFromEnv, type D1Like, type ProductInput } from "tessera-sessions/server";
import { createSessionsEntrypoint } from "tessera-sessions/worker";

/** The sessions Worker's bindings (sessions/wrangler.jsonc); the TESSERA_* secrets are set with `wrangler secret put`. */
export interface Env {
  DB: D1Like;
  TESSERA_ISSUER: string;
  [secret: string]: unknown;
}

const PRODUCTS: ProductInput[] = [
  {
    tag: "my-product-tag",
    envs: ["snd", "prd"],
    sessions: [
      {
        tag: "session-tag",
        schema: { userId: "string", details: { email: "string" } },
        selector: "$Session{userId}",
        expiry: 15,
        period: "mins",
      },
    ],
  },
];

/**
 * The endpoint as an RPC entrypoint: other Workers of the account bind it (app/wrangler.jsonc,
 * `"entrypoint": "Sessions"`) and call `env.SESSIONS.start(...)`. No public route, no access key
 * in the app Worker. The secrets are the four variables `keysFromEnv` reads.
 */
export const Sessions = createSessionsEntrypoint((env: Env) => ({
  issuer: env.TESSERA_ISSUER,
  ...keysFromEnv(env),
  store: d1Store(env.DB),
  products: PRODUCTS,
}));

export default {
  // Nothing on the public internet: the sessions are reached through the service binding only.
  fetch: () => new Response(null, { status: 404 }),
};
