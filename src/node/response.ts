import type { ServerResponse } from "node:http";

/** Writes a fetch `Response` to a Node response, honouring backpressure; HEAD gets no body. */
export async function writeResponse(response: Response, res: ServerResponse, method: string | undefined): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    // Headers joins repeated fields with ", ", which would corrupt cookies (RFC 6265 §3).
    headers[key] = key === "set-cookie" ? response.headers.getSetCookie() : value;
  });
  // An empty statusText would print "HTTP/1.1 401 " with no reason phrase.
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
  if (!response.body || method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  const reader = response.body.getReader();
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
