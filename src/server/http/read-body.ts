import { SessionError } from "../../shared/errors.js";

/**
 * Reads a JSON object body: 415 unless `application/json`, 413 past `maxBytes` (checked on
 * Content-Length and again while streaming, since the header may lie or be absent), 400 for
 * anything that is not a JSON object.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type.trim())) {
    throw new SessionError("UNSUPPORTED_MEDIA_TYPE", "the body must be JSON (Content-Type: application/json)");
  }
  const encoding = request.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
    // RFC 9110 §15.5.16: 415 for a content coding the server does not accept. Decoding would
    // let a few KB of gzip expand past maxBytes before any check; reading the coded bytes as
    // JSON would fail as "not valid UTF-8", which names the wrong problem.
    throw new SessionError("UNSUPPORTED_MEDIA_TYPE", "the body must not be compressed (Content-Encoding is not supported; send identity JSON)");
  }
  const length = request.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readLimited(request, maxBytes, declared);
  if (text.trim() === "") throw new SessionError("INVALID_JSON", "the body is empty; a JSON object is required");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SessionError("INVALID_JSON", "the body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SessionError("INVALID_ARGUMENT", "the body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

async function readLimited(request: Request, maxBytes: number, declared: number): Promise<string> {
  if (!request.body) return "";
  // A declared length within the limit: one read of the whole body (the HTTP framing of
  // node:http, Deno and Workers stops the body at that length), no reader loop. Checked again after.
  if (Number.isInteger(declared) && declared >= 0) {
    const whole = new Uint8Array(await request.arrayBuffer());
    if (whole.byteLength > maxBytes) throw tooLarge(maxBytes);
    return decode(whole);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decode(bytes);
}

function decode(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new SessionError("INVALID_JSON", "the body is not valid UTF-8");
  }
}

function tooLarge(maxBytes: number): SessionError {
  return new SessionError("PAYLOAD_TOO_LARGE", `the body is larger than ${maxBytes} bytes`);
}
