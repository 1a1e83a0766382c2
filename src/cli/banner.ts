import type { DevConfig, ProductView } from "./config-file.js";

/** The seed page's example call (generating-session-tokens.md); `npm start` prints it ready to paste. */
const SEED_DATA = { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } };

export interface BannerInput {
  url: string;
  configSource: string;
  dataDir: string;
  keysCreated: boolean;
  /** Where sessions live (openDevStore's line); with no file, sessions.db is not mentioned. */
  store?: { line: string; file: boolean };
  accessKeys: { secret: string; publishable: string };
  config: DevConfig;
  /** The origins browsers may call from (CORS), when known. */
  corsOrigins?: string[] | "*";
}

/**
 * What `tessera dev` prints at start. Printing the keys is the point of a dev command
 * (issue 3 §9); they are generated locally and useless anywhere else.
 */
export function formatBanner(input: BannerInput): string {
  const lines = [
    `tessera dev listening on ${input.url}`,
    "",
    `  demo page        ${input.url}/`,
    `  console          ${input.url}/console`,
    `  config           ${input.configSource}`,
    `  data             ${input.dataDir}/ (keys.json${input.store?.file === false ? "" : ", sessions.db"})${input.keysCreated ? ", new dev keys generated" : ""}`,
    ...(input.store ? [`  store            ${input.store.line}`] : []),
    `  secret key       ${input.accessKeys.secret}   (server side only)`,
    `  publishable key  ${input.accessKeys.publishable}`,
  ];
  const cors = input.corsOrigins;
  if (cors) lines.push(`  browser origins  ${cors === "*" ? "any (--cors *)" : cors.join(", ")}   (more: --cors <origin>)`);
  const call = seedCall(input.config);
  if (call) {
    lines.push(
      "",
      "Start a session:",
      `  curl -s ${input.url}/v1/sessions/start -H 'Authorization: Bearer ${input.accessKeys.secret}' -H 'Content-Type: application/json' -d '${shellQuote(JSON.stringify(call))}'`,
    );
  }
  lines.push("", "Press Ctrl+C to stop.", "");
  return lines.join("\n");
}

/** The seed call for the seed config; for other configs, sample data built from the first tag's type map. */
export function seedCall(config: DevConfig): { product: string; env: string; tag: string; data: unknown } | undefined {
  const product = config.products[0] as ProductView | undefined;
  // A curl cannot sign DPoP proofs: a bound tag (binding: "dpop") would answer DPOP_REQUIRED.
  const sessions = product?.sessions ?? [];
  const session = sessions.find((s) => !s.public && s.binding !== "dpop") ?? sessions.find((s) => !s.public) ?? sessions[0];
  if (!product || !session || !product.envs?.length) return undefined;
  const env = product.envs.includes("snd") ? "snd" : product.envs[0]!;
  const isSeed = product.tag === "my-product-tag" && session.tag === "session-tag";
  const data = isSeed ? SEED_DATA : sampleData(session.schema);
  return data === undefined ? undefined : { product: product.tag, env, tag: session.tag, data };
}

function sampleData(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || "~standard" in schema) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, type] of Object.entries(schema)) {
    if (typeof type === "object") out[key] = sampleData(type);
    else if (String(type).startsWith("number")) out[key] = 1;
    else if (String(type).startsWith("boolean")) out[key] = true;
    else out[key] = `example-${key}`;
  }
  return out;
}

/** For use inside single quotes in a POSIX shell. */
function shellQuote(text: string): string {
  return text.replace(/'/g, `'\\''`);
}
