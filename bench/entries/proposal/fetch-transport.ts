// Size proposal for the lead (issue 5, part 1), not wired into tessera: the part of ky that
// src/client uses, over fetch, with ky's option names and defaults, meant to become
// src/client/transport.ts (api.ts would import it instead of "ky"; one line). bench/size.mjs
// swaps it in for "ky" (the row "ky swapped for a fetch transport (proposal)"). With it in
// place, test/client (145 tests, Chromium pages included) and test/dom (24) pass; 4 tests of
// test/package assert that ky is bundled (its inputs, its LEGAL.txt) and would change.
//
// Kept from ky, with ky's defaults: a prefix URL; default headers (undefined ones left out); a
// per-attempt timeout that wins even against a fetch that ignores its signal (TimeoutError);
// a JSON body or a query; non-2xx -> HTTPError with the Response; retries for listed methods
// after network errors, listed statuses and (opt-in) timeouts, with `delay(attempt)`, `jitter`
// (`true` = full jitter), `backoffLimit`, and the Retry-After of a 413/429/503 (seconds or an
// HTTP date, RFC 9110 §10.2.3) capped by `maxRetryAfter`. Not kept: hooks, streams and
// progress, other body types, deep option merging, response shortcuts other than `.json()`.
export type BeforeRequestHook = (request: Request) => unknown;

export interface RetryOptions {
  limit?: number;
  methods?: string[];
  statusCodes?: number[];
  afterStatusCodes?: number[];
  retryOnTimeout?: boolean;
  /** Back-off before retry number `attempt` (1, 2, ...), in ms. */
  delay?: (attempt: number) => number;
  /** `true`: a random delay between 0 and the back-off ("full jitter"). */
  jitter?: boolean | ((delay: number) => number);
  backoffLimit?: number;
  maxRetryAfter?: number;
}

export interface Options {
  prefixUrl?: string;
  method?: string;
  json?: unknown;
  searchParams?: Record<string, string | number | boolean>;
  /** An undefined value leaves the header out. */
  headers?: Record<string, string | undefined>;
  /** Per attempt, ms. */
  timeout?: number;
  retry?: number | RetryOptions;
  fetch?: (input: Request) => Promise<Response>;
}

/** ky's defaults, so options written for ky mean the same here. */
const RETRY: Required<Omit<RetryOptions, "jitter" | "maxRetryAfter">> & Pick<RetryOptions, "jitter" | "maxRetryAfter"> = {
  limit: 2,
  methods: ["get", "put", "head", "delete", "options", "trace"],
  statusCodes: [408, 413, 429, 500, 502, 503, 504],
  afterStatusCodes: [413, 429, 503],
  retryOnTimeout: false,
  delay: (attempt) => 0.3 * 2 ** (attempt - 1) * 1000,
  backoffLimit: Number.POSITIVE_INFINITY,
};

export class HTTPError extends Error {
  override name = "HTTPError";
  constructor(readonly response: Response) {
    super(`Request failed with status code ${response.status}`);
  }
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

export const isHTTPError = (error: unknown): error is HTTPError => error instanceof HTTPError;
export const isTimeoutError = (error: unknown): error is TimeoutError => error instanceof TimeoutError;

/** Races the request with a timer: a fetch that never settles (a dead network) still times out. */
function attempt(send: (request: Request) => Promise<Response>, request: Request, abort: AbortController, ms: number): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new TimeoutError("Request timed out"));
    }, ms);
  });
  return Promise.race([send(request), timedOut]).finally(() => clearTimeout(timer));
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; ms, or NaN when absent. */
function retryAfter(response: Response | undefined): number {
  const value = response?.headers.get("retry-after");
  if (!value) return Number.NaN;
  const seconds = Number(value);
  return Number.isNaN(seconds) ? Date.parse(value) - Date.now() : seconds * 1000;
}

async function send(options: Options, path: string): Promise<Response> {
  const method = (options.method ?? "get").toUpperCase();
  const url = new URL(path, options.prefixUrl);
  for (const [key, value] of Object.entries(options.searchParams ?? {})) url.searchParams.set(key, String(value));
  const headers = new Headers();
  for (const [key, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers.set(key, value);
  if (options.json !== undefined) headers.set("content-type", "application/json");
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const retry = { ...RETRY, ...(typeof options.retry === "number" ? { limit: options.retry } : options.retry) };
  for (let count = 1; ; count++) {
    const abort = new AbortController();
    let response: Response | undefined;
    let failure: unknown;
    try {
      const request = new Request(url, { method, headers, body, signal: abort.signal });
      response = await attempt(options.fetch ?? ((r) => fetch(r)), request, abort, options.timeout ?? 10_000);
      if (response.ok) return response;
      failure = new HTTPError(response);
    } catch (error) {
      failure = error;
    }
    const after = response && retry.afterStatusCodes.includes(response.status) ? retryAfter(response) : Number.NaN;
    const again =
      count <= retry.limit &&
      retry.methods.includes(method.toLowerCase()) &&
      (response
        ? retry.statusCodes.includes(response.status) && (response.status !== 413 || after >= 0)
        : !isTimeoutError(failure) || retry.retryOnTimeout);
    if (!again) throw failure;
    // As ky: jitter, then the cap; a Retry-After replaces both, capped by maxRetryAfter.
    const base = retry.delay(count);
    const jittered = retry.jitter === true ? Math.random() * base : retry.jitter ? retry.jitter(base) : base;
    const delay = after >= 0 ? Math.min(after, retry.maxRetryAfter ?? after) : Math.min(retry.backoffLimit, jittered);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** `create(defaults)(path, options).json()`, as with ky. */
function create(defaults: Options) {
  return (path: string, options: Options = {}) => {
    const response = send({ ...defaults, ...options, headers: { ...defaults.headers, ...options.headers } }, path);
    return { json: async <T>(): Promise<T> => (await response).json() as Promise<T> };
  };
}

export default { create };
