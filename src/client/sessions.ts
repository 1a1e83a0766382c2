import { invalidArgument as invalid, SessionError } from "../shared/errors.js";
import type { RevokeResult, VerifyResult } from "../shared/protocol.js";
import { checkTokens, type Api } from "./api.js";
import type { Emitter } from "./events.js";
import type { Lifecycle } from "./lifecycle.js";
import type { NormalizedOptions } from "./options.js";
import { TOKEN_FIELDS, scopeOf, toPublic, type Scope } from "./stored.js";
import { allowedOrigins } from "./origins.js";
import type { AttachArgs, Sessions } from "./types.js";
import { check, checkData, checkTime, requireObject } from "./validate.js";

/**
 * `tessera.sessions`: every method checks its arguments before any request (issue 2,
 * Behaviour 1) and takes product/env from the client's defaults unless the call names them.
 */

const noSession = (scope: Scope) => new SessionError("SESSION_NOT_FOUND", `no session for tag "${scope.tag}"`, { status: 404 });

export function createSessions(options: NormalizedOptions, { call, retry }: Api, lifecycle: Lifecycle, events: Emitter): Sessions {
  const defaults: Record<string, unknown> = { product: options.product, env: options.env };
  /** The scope plus the other fields: `name` a required string, `name?` optional, `name#` a positive integer. */
  const argsOf = (args: unknown, ...fields: string[]) => {
    const input = requireObject(args, "arguments");
    const out = {} as Scope & Record<string, unknown>;
    for (const spec of ["product", "env", "tag", ...fields]) {
      const name = spec.replace(/\W$/, "");
      // Only an absent field takes the default: null is refused like any other non-string.
      out[name] = check(input[name] === undefined ? defaults[name] : input[name], name, spec.slice(name.length));
    }
    return out;
  };
  const get = async (scope: Scope, force?: boolean) => {
    const session = await lifecycle.current(scope, force);
    return session && toPublic(session);
  };
  /**
   * `Authorization: Session <tag>:<jwt>`: the scheme the endpoint's /track and apps' backends
   * read. Only to the allowed origins (a token sent to a third party is a token given away), and
   * never over an Authorization the caller set.
   */
  const attacher = (args: AttachArgs) => {
    const scope = argsOf(args);
    const allowed = allowedOrigins(args.origins, options.baseUrl);
    return async (request: Request) => {
      if (request.headers.has("authorization") || !allowed.has(new URL(request.url).origin)) return request;
      const session = await get(scope);
      // Without a session the request goes out unchanged: the app's backend answers 401 as for any anonymous call.
      if (session) {
        request.headers.set("authorization", `Session ${session.token}`);
        // A bound session's token is worthless to the app's backend without a proof for this request.
        if (typeof TESSERA_SCRIPT_TAG === "undefined") await options.dpop?.sign(request, session.token);
      }
      return request;
    };
  };

  return {
    async start(args) {
      const scope = argsOf(args);
      const data = checkData(args.data);
      const headers = { "idempotency-key": crypto.randomUUID() };
      const tokens = checkTokens(await call("start", { ...scope, data, ...(typeof TESSERA_SCRIPT_TAG === "undefined" ? { dpop: args.dpop } : {}) }, { ...retry, headers }));
      if (args.persist !== false) await lifecycle.started(scope, tokens);
      return tokens;
    },

    async adopt(args) {
      // A session your backend started (secret key) and handed to this client: checked like an answer.
      const body = argsOf(args, ...TOKEN_FIELDS);
      if (!(Date.parse(body.expiresAt as string) > 0 && Date.parse(body.refreshExpiresAt as string) > 0)) {
        throw invalid("expiresAt", "is not an ISO 8601 time");
      }
      return toPublic(await lifecycle.started(body, body as never));
    },

    async refresh(args) {
      const body = argsOf(args, "refreshToken?");
      const { refreshToken } = body;
      if (!refreshToken) {
        const stored = await get(body, true);
        if (stored) return stored;
        throw noSession(body);
      }
      const tokens = checkTokens(await call("refresh", body, retry));
      await lifecycle.refreshed(body, refreshToken as string, tokens);
      return { ...scopeOf(body), ...tokens };
    },

    async verify(args) {
      const body = argsOf(args, "token?");
      // No token given and none stored: answered here, without a request.
      body.token ??= (await get(body))?.token;
      return body.token ? call("verify", typeof TESSERA_SCRIPT_TAG === "undefined" ? { ...body, dpop: args.dpop } : body) : ({ valid: false, reason: "not_found" } satisfies VerifyResult);
    },

    async revoke(args) {
      const body = argsOf(args, "sessionId?", "identifier?", "refreshToken?");
      const targets = ["sessionId", "identifier", "refreshToken"].filter((f) => body[f] !== undefined);
      if (targets.length !== 1) throw invalid("sessionId", "or identifier or refreshToken: give exactly one");
      const field = targets[0] as "sessionId";
      const result = await call<RevokeResult>("revoke", body);
      // Revoking the stored session ends it here too.
      const stored = await lifecycle.read(body);
      if (stored && stored[field] === body[field]) await lifecycle.end(stored, "revoked");
      return result;
    },

    revokeAll: async (args) => call("revoke-all", argsOf(args, "identifier", "excludeSessionId?")),

    listActive: async (args) => call("", argsOf(args, "identifier?", "page#", "limit#"), { method: "get" }),

    get: async (args) => get(argsOf(args)),

    async track(args) {
      const { action, ...scope } = argsOf(args, "action");
      const at = checkTime(args.at, "at");
      const data = args.data === undefined ? undefined : checkData(args.data);
      const session = await get(scope);
      if (!session) throw noSession(scope);
      // The session token is the credential (any key, or none, is enough); the body names no scope.
      await call("track", { action, data, at }, { headers: { "x-session-token": session.token } });
    },

    async end(args) {
      const scope = argsOf(args);
      await lifecycle.settle(scope);
      const stored = await lifecycle.read(scope);
      if (!stored) return { revoked: 0 };
      // Cleared here first, so logout works offline; then revoked with the refresh token (what a
      // publishable key may revoke). An "already gone" answer is not an error; a network failure is.
      await lifecycle.end(stored, "ended");
      // call() rejects with SessionErrors only (api.ts).
      return call<RevokeResult>("revoke", { ...scope, refreshToken: stored.refreshToken }).catch((error: SessionError) => {
        if (/^(SESSION_(REVOKED|NOT_FOUND)|REFRESH_)/.test(error.code)) return { revoked: 0 };
        throw error;
      });
    },

    onChange(listener) {
      if (typeof listener !== "function") throw invalid("listener", "must be a function");
      return events.on(listener);
    },

    /** A ky `beforeRequest` hook for the app's own API calls; the session is refreshed first when due. */
    kyHook(args) {
      const attach = attacher(args);
      return async (request) => void (await attach(request));
    },

    /** The same for plain fetch: `const api = tessera.sessions.fetch({ tag }); await api("/me")`. */
    fetch(args, fetchImpl) {
      const attach = attacher(args);
      return async (input, init) => {
        // The global fetch is resolved per call, so SSR code can build the wrapper before a fetch exists.
        const impl = fetchImpl ?? fetch;
        const request = await attach(new Request(input, init));
        const dpop = typeof TESSERA_SCRIPT_TAG === "undefined" ? options.dpop : undefined;
        // A proof went out: the API's nonces are taken as the endpoint's are (dpop.ts).
        return dpop && request.headers.has("dpop") ? dpop.send(request, impl) : impl(request);
      };
    },
  };
}

/** Defined as true only by the script-tag build, which has no dpopKey: DPoP hook points fold away there (runtime.ts). */
declare const TESSERA_SCRIPT_TAG: true | undefined;
