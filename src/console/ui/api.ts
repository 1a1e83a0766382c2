/**
 * Calls to the sessions endpoint. The secret key (production) lives only in this module's
 * closure: never in storage, the URL, or a log line; `forget()` drops it.
 */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  post<T>(path: string, body: object): Promise<T>;
}

export function createApi(endpoint: string, key: () => string | null): Api {
  const send = async <T>(method: string, path: string, query?: Record<string, unknown>, body?: object): Promise<T> => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== "") params.set(name, String(value));
    const headers: Record<string, string> = { accept: "application/json" };
    const secret = key();
    if (secret) headers.authorization = `Bearer ${secret}`;
    if (body) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${endpoint}${path}${params.size ? `?${params}` : ""}`, { method, headers, body: body ? JSON.stringify(body) : null, credentials: "omit", cache: "no-store" });
    } catch {
      throw new ApiError("NETWORK_ERROR", "The sessions endpoint cannot be reached.", 0);
    }
    const answer = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    if (!response.ok) {
      throw new ApiError(answer?.error?.code ?? "SERVER_ERROR", answer?.error?.message ?? `The endpoint answered ${response.status}.`, response.status);
    }
    return answer as T;
  };
  return {
    get: (path, query) => send("GET", path, query),
    post: (path, body) => send("POST", path, undefined, body),
  };
}
