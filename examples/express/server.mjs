import { createApp } from "./app.mjs";

// TESSERA_ENDPOINT: the sessions endpoint (`npx tessera dev` prints its URL and keys).
const app = createApp({
  endpoint: process.env.TESSERA_ENDPOINT ?? "http://127.0.0.1:8787",
  issuer: process.env.TESSERA_ISSUER ?? "tessera-dev",
  env: process.env.TESSERA_ENV ?? "snd",
  secretKey: process.env.TESSERA_SECRET_KEY,
});
const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`express app on http://127.0.0.1:${server.address().port}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
process.once("SIGINT", () => server.close(() => process.exit(0)));
