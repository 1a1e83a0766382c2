import type { JWK } from "jose";
import { createClient, type ClientOptions, type TesseraClient } from "../../src/index.js";
import {
  createSessionServer,
  generateAccessKey,
  generateSecret,
  generateSigningKey,
  memoryStore,
  type SessionServerOptions,
} from "../../src/server/index.js";
import { memoryStorage } from "../../src/storage/index.js";

export const SEED_DATA = {
  userId: "1919102009383",
  details: { username: "feekayo", email: "fikayo@ductape.app" },
};

export const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" } as const;

export const PRODUCTS: SessionServerOptions["products"] = [
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
      {
        tag: "guest",
        schema: { guestId: "string" },
        selector: "$Session{guestId}",
        expiry: 1,
        period: "hours",
        public: true,
      },
    ],
  },
];

let keys: Promise<JWK[]> | undefined;
/** Signing keys are slow-ish to make: one ES256 and one EdDSA key for the whole run. */
export function testKeys(): Promise<JWK[]> {
  return (keys ??= Promise.all([generateSigningKey("ES256"), generateSigningKey("EdDSA")]));
}

export const SECRET_KEY = generateAccessKey("secret");
export const PUBLISHABLE_KEY = generateAccessKey("publishable");

export interface Harness {
  server: ReturnType<typeof createSessionServer>;
  clock: { now: number };
  errors: unknown[];
  call(method: string, path: string, body?: unknown, options?: { key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  /** POST with the secret key, parsed JSON answer and status. */
  post<T = any>(path: string, body: unknown, options?: { key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
  get<T = any>(path: string, query: Record<string, string>, options?: { key?: string | null }): Promise<{ status: number; body: T }>;
  start(data?: unknown, scope?: Partial<typeof SCOPE>): Promise<{ token: string; refreshToken: string; sessionId: string; expiresAt: string; refreshExpiresAt: string }>;
}

export async function harness(overrides: Partial<SessionServerOptions> = {}): Promise<Harness> {
  const clock = { now: Date.UTC(2026, 0, 15, 12, 0, 0) };
  const errors: unknown[] = [];
  const server = createSessionServer({
    issuer: "http://127.0.0.1:8787",
    keys: await testKeys(),
    secret: generateSecret(),
    store: memoryStore(),
    products: PRODUCTS,
    accessKeys: { secret: [SECRET_KEY], publishable: [PUBLISHABLE_KEY] },
    now: () => clock.now,
    onError: (e) => errors.push(e),
    ...overrides,
  });
  const call: Harness["call"] = (method, path, body, options = {}) => {
    const key = options.key === undefined ? SECRET_KEY : options.key;
    const headers: Record<string, string> = { ...(key ? { authorization: `Bearer ${key}` } : {}) };
    if (body !== undefined) headers["content-type"] = "application/json";
    Object.assign(headers, options.headers);
    return server.fetch(
      new Request(`http://127.0.0.1:8787${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      }),
    );
  };
  const parse = async (response: Response) => ({ status: response.status, body: await response.json() });
  const h: Harness = {
    server,
    clock,
    errors,
    call,
    post: async (path, body, options) => parse(await call("POST", path, body, options)),
    get: async (path, query, options) => parse(await call("GET", `${path}?${new URLSearchParams(query)}`, undefined, options)),
    async start(data = SEED_DATA, scope = {}) {
      const { status, body } = await h.post("/v1/sessions/start", { ...SCOPE, ...scope, data });
      if (status !== 201) throw new Error(`start answered ${status}: ${JSON.stringify(body)}`);
      return body;
    },
  };
  return h;
}

const clients: TesseraClient[] = [];

/**
 * A client of harness `h`'s endpoint, in process: the secret key, the seed product and env,
 * memory storage, the harness clock, every request straight to `h.server` (each overridable).
 * Call closeClients() after each test to stop its timers.
 */
export function harnessClient(h: Harness, options: Partial<ClientOptions> = {}): TesseraClient {
  const client = createClient({
    baseUrl: "http://127.0.0.1:8787",
    accessKey: SECRET_KEY,
    product: SCOPE.product,
    env: SCOPE.env,
    storage: memoryStorage(),
    now: () => h.clock.now,
    fetch: (request) => h.server.fetch(request),
    ...options,
  });
  clients.push(client);
  return client;
}

export function closeClients(): void {
  clients.splice(0).forEach((client) => client.close());
}
