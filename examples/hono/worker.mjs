import { createApp } from "./app.mjs";

// Cloudflare Workers: the same app. Bindings: TESSERA_ENDPOINT, TESSERA_ISSUER, TESSERA_ENV, and the
// secret TESSERA_SECRET_KEY for /account/*. One app per isolate: the JWKS cache lives as long.
let cached;
export default {
  fetch(request, env, ctx) {
    if (cached?.env !== env) {
      cached = {
        env,
        app: createApp({ endpoint: env.TESSERA_ENDPOINT, issuer: env.TESSERA_ISSUER, env: env.TESSERA_ENV, secretKey: env.TESSERA_SECRET_KEY }),
      };
    }
    return cached.app.fetch(request, env, ctx);
  },
};
