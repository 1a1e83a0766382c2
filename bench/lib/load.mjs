// A bounded HTTP load run with autocannon, shared by the floor and every tessera case
// (dev start / refresh / verify). Loopback only: the bench never measures a remote host.
import { createRequire } from "node:module";
import { MAX_DURATION_S } from "./args.mjs";

const autocannon = createRequire(import.meta.url)("autocannon");

/**
 * @typedef {object} LoadOptions
 * @property {string} url             full URL on 127.0.0.1 / localhost / ::1
 * @property {string} [method]        default GET, or POST when a body is given
 * @property {Record<string,string>} [headers]
 * @property {string|object} [body]   one body for every request (objects are JSON-encoded)
 * @property {Array<string|object>} [bodies] a pre-generated pool: each request takes the next one.
 *   Single use by default (a refresh token can be presented once), so the run stops when the
 *   pool is spent or the duration ends, whichever comes first; `cycle: true` loops over it instead.
 * @property {boolean} [cycle]
 * @property {number} [duration]      seconds, default 10, at most 30 (issue 5)
 * @property {number} [connections]   default 10
 * @property {number} [warmup]        seconds of discarded load first (not with a single-use pool)
 * @property {() => number | null} [probe] read before and after the measured run (not the
 *   warm-up), e.g. the server's CPU time; the difference is returned as `probed`
 * @property {(status: number, body: string) => void} [onResponse] sees every measured response
 *   body, e.g. to collect refresh tokens from a start run for a later refresh run
 *
 * @typedef {object} LoadResult
 * @property {number} requests  completed responses
 * @property {number} rps       completed responses / elapsed seconds
 * @property {number} p50       latency ms
 * @property {number} p99       latency ms
 * @property {number} non2xx
 * @property {number} errors    connection errors + timeouts
 * @property {number} seconds   elapsed
 * @property {boolean} poolSpent the single-use pool ran out before the duration ended
 * @property {number | null} probed `probe()` after the measured run minus before
 */

/** @param {LoadOptions} options @returns {Promise<LoadResult>} */
export async function loadTest(options) {
  const { url, headers = {}, body, bodies, cycle = false, connections = 10, warmup = 0, onResponse, probe } = options;
  assertLoopback(url);
  if (body !== undefined && bodies !== undefined) throw new Error("loadTest: give body or bodies, not both");
  if (bodies !== undefined && (!Array.isArray(bodies) || bodies.length === 0)) throw new Error("loadTest: bodies must be a non-empty array");
  const duration = Math.min(options.duration ?? 10, MAX_DURATION_S);
  const method = options.method ?? (body !== undefined || bodies !== undefined ? "POST" : "GET");
  const hasBody = body !== undefined || bodies !== undefined;
  const allHeaders = hasBody ? { "content-type": "application/json", ...headers } : { ...headers };
  const base = { url, method, headers: allHeaders, connections, timeout: 10 };

  if (warmup > 0 && (bodies === undefined || cycle)) {
    await run({ ...base, duration: warmup, ...requestsFor(body, bodies, true) });
  }
  const singleUse = bodies !== undefined && !cycle;
  // autocannon cannot skip a request once a connection started, so a single-use pool sets
  // `amount` (one request per pool entry, spread over the connections) and the duration
  // becomes a stop timer of our own.
  const pool = requestsFor(body, bodies, cycle, onResponse);
  const amountOptions = singleUse ? { amount: bodies.length, connections: Math.min(connections, bodies.length) } : { duration };
  const probeBefore = probe?.() ?? null;
  const result = await run({ ...base, ...amountOptions, ...pool }, singleUse ? duration : 0);
  const probeAfter = probe?.() ?? null;
  return {
    requests: result.latencies.length,
    rps: result.seconds > 0 ? result.latencies.length / result.seconds : 0,
    p50: percentile(result.latencies, 0.5),
    p99: percentile(result.latencies, 0.99),
    non2xx: result.summary.non2xx,
    errors: result.summary.errors + result.summary.timeouts,
    seconds: result.seconds,
    poolSpent: singleUse && result.summary.requests.total + result.summary.errors + result.summary.timeouts >= bodies.length,
    probed: probeBefore == null || probeAfter == null ? null : probeAfter - probeBefore,
  };
}

/** Builds autocannon's `body` or `requests` option. The pool's cursor lives in this closure. */
function requestsFor(body, bodies, cycle, onResponse) {
  const hook = onResponse ? { onResponse: (status, text) => onResponse(status, text) } : {};
  if (bodies === undefined) {
    const encoded = body === undefined ? undefined : encode(body);
    if (!onResponse) return encoded === undefined ? {} : { body: encoded };
    return { requests: [{ ...(encoded === undefined ? {} : { body: encoded }), ...hook }] };
  }
  const encoded = bodies.map(encode);
  let next = 0;
  return {
    requests: [
      {
        setupRequest(request) {
          // Past the end only when cycling (amount prevents it otherwise); wrap, never return
          // null: autocannon aborts a connection whose first request fails to build.
          const index = next++ % encoded.length;
          return { ...request, body: encoded[index] };
        },
        ...hook,
      },
    ],
  };
}

/**
 * Runs autocannon and keeps every response time itself: autocannon's histogram has 1 ms
 * resolution, too coarse on loopback, and its duration includes up to a second of idle
 * sampling after an `amount` run ends. Elapsed time here is first start to last response.
 */
function run(opts, stopAfterSeconds = 0) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    let startedAt = 0;
    let lastAt = 0;
    const instance = autocannon(opts, (error, summary) => {
      clearTimeout(timer);
      if (error) return reject(error);
      resolve({ summary, latencies, seconds: lastAt > startedAt ? (lastAt - startedAt) / 1000 : summary.duration });
    });
    instance.on("start", () => {
      startedAt = performance.now();
    });
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      lastAt = performance.now();
    });
    const timer = stopAfterSeconds > 0 ? setTimeout(() => instance.stop(), stopAfterSeconds * 1000) : undefined;
  });
}

/** Nearest-rank percentile in ms (3 decimals); sorts in place. */
export function percentile(values, q) {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const index = Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
  return Math.round(values[index] * 1000) / 1000;
}

function encode(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function assertLoopback(url) {
  const { hostname } = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(hostname)) {
    throw new Error(`loadTest: loopback only (issue 5), got host ${hostname}`);
  }
}
