import type { FetchHandler } from "../node/index.js";
import type { Output } from "./dev.js";

// Path segments that carry a person's identifier (the session selector's value, often an
// e-mail address or user id): the route shape is logged, the value never is.
const IDENTIFIER_SEGMENT = /^(\/v1\/users\/)[^/]+/;

/** The path as the request log prints it: no query (it may name identifiers), identifiers masked. */
export function loggedPath(pathname: string): string {
  return pathname.replace(IDENTIFIER_SEGMENT, "$1:identifier");
}

/** One line per request: method, path, status, time. */
export function withRequestLog(handler: FetchHandler, output: Output): FetchHandler {
  return async (request) => {
    const started = performance.now();
    const response = await handler(request);
    const { pathname } = new URL(request.url);
    output.out(`${request.method} ${loggedPath(pathname)} ${response.status} ${Math.round(performance.now() - started)}ms`);
    return response;
  };
}

/** Where the request log's lines go: one line per request, written in batches. */
export interface RequestLog {
  line(text: string): void;
  /** Writes what is buffered now (before exit). */
  flush(): void;
}

const MAX_BUFFERED_CHARS = 16_384;
/** How long a line may wait for others to share its write: below what a person reading notices. */
const FLUSH_MS = 50;

/**
 * `process.stdout.write` to a pipe or a file is synchronous on Linux: one write(2) per call,
 * which the CPU profile of `tessera dev` under load showed at ~5 % of the main thread. Lines are
 * joined and written once per 50 ms (or per 16 KiB): a write per event-loop turn, as before,
 * was still one per request whenever requests did not overlap (10 keep-alive connections at
 * ~500 req/s). `flush()` writes at once; `tessera dev` calls it when it stops.
 */
export function createRequestLog(write: (chunk: string) => void, flushMs = FLUSH_MS): RequestLog {
  let buffered: string[] = [];
  let chars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffered.length === 0) return;
    const chunk = buffered.join("\n");
    buffered = [];
    chars = 0;
    write(chunk);
  };
  return {
    line(text) {
      buffered.push(text);
      chars += text.length + 1;
      if (chars >= MAX_BUFFERED_CHARS) flush();
      // Unref'd: a pending line never keeps the process alive; stopping flushes it.
      else timer ??= setTimeout(flush, flushMs).unref();
    },
    flush,
  };
}
