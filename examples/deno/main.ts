/**
 * The sessions endpoint on Deno:
 *
 *   deno run --unstable-kv --allow-net --allow-env --allow-read --allow-write \
 *     --import-map examples/deno/import_map.json examples/deno/main.ts
 *
 * Configuration (environment): TESSERA_SECRET, TESSERA_SIGNING_KEY (a private JWK as JSON),
 * TESSERA_ACCESS_KEY (tsk_...), TESSERA_ISSUER, PORT, TESSERA_KV_PATH (a file; Deno Deploy
 * needs none). Without them it makes throwaway development keys and says so.
 * In your own project, import "npm:tessera-sessions/server" instead of the import map.
 */
import { generateAccessKey, generateSecret, generateSigningKey } from "tessera-sessions/server";
import { createEndpoint } from "./endpoint.ts";

const port = Number(Deno.env.get("PORT") ?? 8787);
let secret = Deno.env.get("TESSERA_SECRET");
let signingKey = Deno.env.get("TESSERA_SIGNING_KEY");
let accessKey = Deno.env.get("TESSERA_ACCESS_KEY");
if (!secret || !signingKey || !accessKey) {
  secret ??= generateSecret();
  signingKey ??= JSON.stringify(await generateSigningKey("ES256"));
  accessKey ??= generateAccessKey("secret");
  // The access key is printed on purpose: it is throwaway, made for this development run only.
  console.warn(`development keys (sessions do not survive a restart); secret access key: ${accessKey}`);
}

const kv = await Deno.openKv(Deno.env.get("TESSERA_KV_PATH"));
const endpoint = createEndpoint(kv, {
  issuer: Deno.env.get("TESSERA_ISSUER") ?? `http://127.0.0.1:${port}`,
  secret,
  signingKeys: [JSON.parse(signingKey)],
  accessKeys: [accessKey],
});

// Ended sessions and old activity go once an hour (Deno Deploy: Deno.cron does the same).
setInterval(() => void endpoint.purge().catch(() => {}), 3_600_000);

Deno.serve({ hostname: "127.0.0.1", port }, endpoint.fetch);
