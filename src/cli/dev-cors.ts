/**
 * Pages served by a local dev server (Vite on :5173, a static server on :3000...) call
 * `tessera dev` on another port: another origin, so the browser asks first (CORS preflight).
 * Loopback pages on any port are allowed by default; the endpoint listens on loopback too,
 * and the demo routes that hold the secret key refuse every other origin on their own.
 */
export const LOOPBACK_ORIGINS = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/**
 * The `cors` option `tessera dev` gives createSessionServer: loopback origins, the config
 * file's `cors.origins` and each `--cors`. A malformed `cors` in the file is passed on as is,
 * so createSessionServer's message names it.
 */
export function devCors(fromConfig: unknown, flags: string[]): unknown {
  const config = fromConfig as { origins?: unknown; maxAgeSeconds?: unknown } | undefined;
  if (config !== undefined && (typeof config !== "object" || config === null || (config.origins !== "*" && !Array.isArray(config.origins)))) {
    return fromConfig;
  }
  const listed = config?.origins;
  const origins = listed === "*" || flags.includes("*") ? "*" : [...new Set([...LOOPBACK_ORIGINS, ...((listed as string[] | undefined) ?? []), ...flags])];
  return { ...config, origins };
}
