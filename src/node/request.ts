import type { IncomingMessage } from "node:http";

/**
 * A Node request as a fetch `Request`. The body stays a stream, read on demand with
 * backpressure, so the endpoint enforces `maxBodyBytes` while reading instead of after
 * buffering everything. `discard()` drops what the handler did not read.
 */
export function toRequest(
  req: IncomingMessage,
  signal: AbortSignal,
  fallbackHost: string,
): { request: Request; discard(): void } {
  // Express and Connect strip their mount path from `req.url` and keep the full one in
  // `originalUrl`; the endpoint routes on full paths (/v1/..., /.well-known/...).
  const path = (req as { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  const url = new URL(path, `${scheme}://${req.headers.host ?? fallbackHost}`);
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.startsWith(":")) continue; // HTTP/2 pseudo-headers are not header names for fetch
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers, signal };
  let discard = () => {};
  if (init.method !== "GET" && init.method !== "HEAD") {
    const parsed = alreadyParsed(req);
    if (parsed !== undefined) {
      init.body = parsed;
      headers.delete("content-length"); // re-serialised: the original length no longer applies
    } else {
      const body = bodyStream(req);
      init.body = body.stream;
      init.duplex = "half"; // a streamed request body (fetch spec); required by Node's Request
      discard = body.discard;
    }
  }
  return { request: new Request(url, init), discard };
}

/**
 * A body parser mounted before us (express.json(), express.raw()) has consumed the stream and
 * left the result on `req.body`; reading the stream again would wait forever.
 */
function alreadyParsed(req: IncomingMessage): BodyInit | undefined {
  if (!req.readableEnded) return undefined;
  const parsed = (req as { body?: unknown }).body;
  if (parsed === undefined || parsed === null) return "";
  if (typeof parsed === "string" || parsed instanceof Uint8Array) return parsed as BodyInit;
  return JSON.stringify(parsed);
}

function bodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard(): void } {
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    req.removeAllListeners("data");
    // Drain instead of destroying: the client is still sending, and a reset socket would lose
    // the answer (e.g. the 413 for an oversized body) before the client reads it.
    req.on("error", () => {});
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once("end", () => {
          if (!done) controller.close();
          done = true;
        });
        // An aborted upload ("aborted", ECONNRESET) fails the handler's read, not the process.
        req.once("error", (error) => {
          if (!done) controller.error(error);
          done = true;
        });
        req.pause();
      },
      pull() {
        req.resume();
      },
      cancel: stop,
    },
    { highWaterMark: 65_536, size: (chunk) => chunk.byteLength },
  );
  return { stream, discard: stop };
}
