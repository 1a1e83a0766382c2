import { isSessionError } from "../shared/errors.js";
import type { RevokeResult, VerifyResult } from "../shared/protocol.js";
import { checkTokens, type Api } from "./api.js";
import { sessionFetch, sessionHook } from "./attach.js";
import type { Emitter } from "./events.js";
import type { Lifecycle } from "./lifecycle.js";
import type { NormalizedOptions } from "./options.js";
import { toPublic, type Scope } from "./stored.js";
import type { Sessions } from "./types.js";
import { checkData, invalid, optionalPositiveInteger, optionalString, requireName, requireObject, requireString } from "./validate.js";

/**
 * `tessera.sessions`: every method checks its arguments before any request (issue 2,
 * Behaviour 1) and takes product/env from the client's defaults unless the call names them.
 */
export function createSessions(options: NormalizedOptions, { call, retry }: Api, lifecycle: Lifecycle, events: Emitter): Sessions {
  /** The scope plus the other fields: `name` a required string, `name?` optional, `name#` a positive integer. */
  const argsOf = (args: unknown, ...fields: string[]) => {
    const input = requireObject(args, "arguments");
    const out: Scope & Record<string, unknown> = {
      product: requireName(input.product ?? options.product, "product"),
      env: requireName(input.env ?? options.env, "env"),
      tag: requireName(input.tag, "tag"),
    };
    for (const spec of fields) {
      const [, name, kind] = /^(\w+)(\W?)$/.exec(spec)!;
      const value = input[name!];
      out[name!] =
        kind === "#" ? optionalPositiveInteger(value, name!) : kind === "?" ? optionalString(value, name!) : requireString(value, name!);
    }
    return out;
  };
  const get = async (scope: Scope, force?: boolean) => {
    const session = await lifecycle.current(scope, force);
    return session && toPublic(session);
  };

  return {
    async start(args) {
      const scope = argsOf(args);
      const data = checkData(args.data);
      const headers = { "idempotency-key": crypto.randomUUID() };
      const tokens = checkTokens(await call("start", { ...scope, data }, { ...retry, headers }));
      if (args.persist !== false) await lifecycle.started(scope, tokens);
      return tokens;
    },

    async adopt(args) {
      // A session your backend started (secret key) and handed to this client: checked like an answer.
      const body = argsOf(args, "token", "refreshToken", "expiresAt", "refreshExpiresAt", "sessionId");
      if (!(Date.parse(body.expiresAt as string) > 0 && Date.parse(body.refreshExpiresAt as string) > 0)) {
        throw invalid("expiresAt", "and refreshExpiresAt must be ISO 8601 timestamps");
      }
      return toPublic(await lifecycle.started(body, body as never));
    },

    async refresh(args) {
      const body = argsOf(args, "refreshToken?");
      const { refreshToken } = body;
      if (!refreshToken) return (await get(body, true))!;
      const tokens = checkTokens(await call("refresh", body, retry));
      await lifecycle.refreshed(body, refreshToken as string, tokens);
      const { product, env, tag } = body;
      return { product, env, tag, ...tokens };
    },

    async verify(args) {
      const body = argsOf(args, "token?");
      // No token given and none stored: answered here, without a request.
      body.token ??= (await get(body))?.token;
      return body.token ? call("verify", body) : ({ valid: false, reason: "not_found" } satisfies VerifyResult);
    },

    async revoke(args) {
      const input = requireObject(args, "arguments");
      const targets = ["sessionId", "identifier", "refreshToken"].filter((f) => input[f] !== undefined);
      if (targets.length !== 1) throw invalid("sessionId", "or identifier or refreshToken: give exactly one");
      const field = targets[0] as "sessionId";
      const body = argsOf(args, field);
      const result = await call<RevokeResult>("revoke", body);
      // Revoking the stored session ends it here too.
      const stored = await lifecycle.read(body);
      if (stored && stored[field] === body[field]) await lifecycle.end(stored, "revoked");
      return result;
    },

    revokeAll: async (args) => call("revoke-all", argsOf(args, "identifier", "excludeSessionId?")),

    listActive: async (args) => call("", argsOf(args, "identifier?", "page#", "limit#"), { method: "get" }),

    get: async (args) => get(argsOf(args)),

    async end(args) {
      const scope = argsOf(args);
      await lifecycle.settle(scope);
      const stored = await lifecycle.read(scope);
      if (!stored) return { revoked: 0 };
      // Cleared here first, so logout works offline; then revoked with the refresh token (what a
      // publishable key may revoke). An "already gone" answer is not an error; a network failure is.
      await lifecycle.end(stored, "ended");
      return call<RevokeResult>("revoke", { ...scope, refreshToken: stored.refreshToken }).catch((error) => {
        if (isSessionError(error) && /^(SESSION_(REVOKED|NOT_FOUND)|REFRESH_)/.test(error.code)) return { revoked: 0 };
        throw error;
      });
    },

    onChange(listener) {
      if (typeof listener !== "function") throw invalid("listener", "must be a function");
      return events.on(listener);
    },

    kyHook(args) {
      const scope = argsOf(args);
      return sessionHook(() => get(scope));
    },

    fetch(args, fetchImpl) {
      const scope = argsOf(args);
      return sessionFetch(() => get(scope), fetchImpl);
    },
  };
}
