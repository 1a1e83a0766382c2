import type { IncomingMessage } from "node:http";

/**
 * A Node request as a fetch `Request`, in one of two ways:
 *
 * - **buffered** (the common case: a JSON call with a Content-Length up to `maxBufferedBytes`):
 *   the body is read into one Buffer first and handed over as bytes. No web stream is made
 *   for it: in a CPU profile of `tessera dev` under load, the ReadableStream wrapping the
 *   socket and the reader that drained it again cost more main-thread time than the
 *   endpoint's JSON handling.
 * - **streamed** (no Content-Length, a larger one, or a chunked upload): the body stays a
 *   stream, read on demand with backpressure, so the endpoint enforces `maxBodyBytes` while
 *   reading instead of after buffering everything. `discard()` drops what the handler did not read.
 */
export function bodyInit(req: IncomingMessage, maxBufferedBytes: number): { kind: "none" } | { kind: "parsed"; body: BodyInit } | { kind: "buffer"; length: number } | { kind: "stream" } {
  const method = req.method;
  if (method === "GET" || method === "HEAD") return { kind: "none" };
  const parsed = alreadyParsed(req);
  if (parsed !== undefined) return { kind: "parsed", body: parsed };
  const declared = req.headers["content-length"];
  if (declared !== undefined && req.headers["transfer-encoding"] === undefined) {
    const length = Number(declared);
    if (Number.isInteger(length) && length >= 0 && length <= maxBufferedBytes) return { kind: "buffer", length };
  }
  return { kind: "stream" };
}

/** The whole body of a request with a small declared length; rejects when the client goes away first. */
export function readBuffered(req: IncomingMessage, length: number): Promise<Buffer> {
  if (length === 0 || req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    // An aborted upload (ECONNRESET, "aborted") or a socket closed before the end.
    const onError = (error: unknown) => {
      cleanup();
      reject(error instanceof Error ? error : new Error("request body aborted"));
    };
    const onClose = () => {
      if (!req.readableEnded) onError(new Error("request body aborted"));
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("close", onClose);
  });
}

/** Request headers as fetch Headers (HTTP/2 pseudo-headers left out: not header names for fetch). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const source = req.headers;
  for (const key in source) {
    const value = source[key];
    if (value === undefined || key.charCodeAt(0) === 58 /* ":" */) continue;
    if (typeof value === "string") headers.append(key, value);
    else for (const v of value) headers.append(key, v);
  }
  return headers;
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

export function bodyStream(req: IncomingMessage): { stream: ReadableStream<Uint8Array>; discard(): void } {
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
