import { isErrorCode, SessionError } from "../shared/errors.js";

/** A host no request ever leaves for: RPC calls are routed in-process, never sent. */
const INTERNAL_ORIGIN = "https://tessera.rpc.internal";

/**
 * One RPC method as a call to the endpoint's own router, in-process, so an RPC call gets exactly
 * the checks, activity log and errors of the HTTP route. `accessKey` is a secret key made for
 * this isolate: it never leaves it, and callers across the binding never hold one.
 */
export async function callRoute(
  fetch: (request: Request) => Promise<Response>,
  accessKey: string,
  path: string,
  body: unknown,
): Promise<unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SessionError("INVALID_ARGUMENT", "the argument must be an object", { field: "input" });
  const response = await fetch(
    new Request(INTERNAL_ORIGIN + path, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessKey}` },
      body: JSON.stringify(body),
    }),
  );
  const answer = (await response.json()) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  if (response.ok) return answer;
  const error = answer.error ?? {};
  const code = isErrorCode(error.code) ? error.code : "INTERNAL";
  throw new SessionError(code, typeof error.message === "string" ? error.message : "internal error", {
    status: response.status,
    ...(typeof error.field === "string" ? { field: error.field } : {}),
  });
}
