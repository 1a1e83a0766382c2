import type { ServerResponse } from "node:http";

/** Answers with a declared length up to this are read whole and written with one `end()`. */
const MAX_BUFFERED_ANSWER = 1_048_576;

/**
 * Writes a fetch `Response` to a Node response; HEAD gets no body. A body of known, bounded
 * length (Content-Length, which the endpoint's JSON answers carry) is read in one go and sent
 * with one `end()` and a Content-Length (no chunked framing); anything else is streamed,
 * honouring backpressure.
 */
export async function writeResponse(response: Response, res: ServerResponse, method: string | undefined): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  let length = -1;
  response.headers.forEach((value, key) => {
    // Headers joins repeated fields with ", ", which would corrupt cookies (RFC 6265 §3).
    if (key === "set-cookie") headers[key] = response.headers.getSetCookie();
    else {
      headers[key] = value;
      if (key === "content-length") length = Number(value);
    }
  });
  const body = response.body;
  if (!body || method === "HEAD") {
    head(response, res, headers);
    await body?.cancel().catch(() => {});
    res.end();
    return;
  }
  if (length >= 0 && length <= MAX_BUFFERED_ANSWER && !response.bodyUsed) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    headers["content-length"] = String(bytes.byteLength);
    head(response, res, headers);
    res.end(bytes);
    return;
  }
  head(response, res, headers);
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) throw new Error("client went away");
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
}

function head(response: Response, res: ServerResponse, headers: Record<string, string | string[]>): void {
  // An empty statusText would print "HTTP/1.1 401 " with no reason phrase.
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
