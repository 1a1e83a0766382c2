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
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readLimited(request, maxBytes);
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

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
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
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SessionError("INVALID_JSON", "the body is not valid UTF-8");
  }
}

function tooLarge(maxBytes: number): SessionError {
  return new SessionError("PAYLOAD_TOO_LARGE", `the body is larger than ${maxBytes} bytes`);
}
