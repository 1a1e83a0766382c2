import { WorkerEntrypoint } from "cloudflare:workers";
import { configError } from "../server/config/config-error.js";
import { createSessionServer, type SessionServer } from "../server/create-server.js";
import type { SessionServerOptions } from "../server/config/types.js";
import { generateAccessKey } from "../server/keys/generate.js";
import type { RefreshRequest, RevokeRequest, RevokeResult, SessionTokens, StartRequest, VerifyRequest, VerifyResult } from "../shared/protocol.js";
import { callRoute } from "./rpc-call.js";
import { rpcError } from "./rpc-error.js";

/** The methods another Worker calls on its service binding (`await env.SESSIONS.start(...)`). */
export interface SessionsRpc {
  start(input: StartRequest): Promise<SessionTokens>;
  refresh(input: RefreshRequest): Promise<SessionTokens>;
  verify(input: VerifyRequest): Promise<VerifyResult>;
  revoke(input: RevokeRequest): Promise<RevokeResult>;
}

/** The class `createSessionsEntrypoint` returns: export it from the sessions Worker. */
export interface SessionsEntrypoint<Env> {
  new (ctx: unknown, env: Env): SessionsRpc & {
    /** The endpoint's HTTP routes, for a client that uses the binding as its `fetch` (access keys still apply). */
    fetch(request: Request): Promise<Response>;
  };
}

interface Isolate {
  server: SessionServer;
  /** A secret access key known only to this isolate, for the RPC methods' in-process calls. */
  rpcKey: string;
}

/**
 * A `WorkerEntrypoint` serving the sessions endpoint to other Workers of the account by RPC
 * over a service binding: no HTTP, and no access key in the calling Worker (a service binding
 * is reachable only from Workers bound to it). `optionsFromEnv` builds createSessionServer's
 * options from the Worker's env (`keysFromEnv(env)`, `d1Store(env.DB)`); it runs once per isolate
 * and env. Errors reach the caller as `SessionError`s whose `code` is in the message
 * (`"SESSION_EXPIRED: ..."`): Workers RPC keeps an error's message, not its fields.
 */
export function createSessionsEntrypoint<Env>(optionsFromEnv: (env: Env) => SessionServerOptions): SessionsEntrypoint<Env> {
  if (typeof optionsFromEnv !== "function") throw configError("createSessionsEntrypoint", "needs a function (env) => options, called once per isolate");
  const isolates = new WeakMap<object, Isolate>();
  const isolateOf = (env: Env): Isolate => {
    let isolate = isolates.get(env as object);
    if (!isolate) {
      const options = optionsFromEnv(env);
      const rpcKey = generateAccessKey("secret");
      const accessKeys = { ...options.accessKeys, secret: [...(options.accessKeys?.secret ?? []), rpcKey] };
      isolate = { server: createSessionServer({ ...options, accessKeys }), rpcKey };
      isolates.set(env as object, isolate);
    }
    return isolate;
  };
  const call = async (env: Env, path: string, input: unknown) => {
    const { server, rpcKey } = isolateOf(env);
    try {
      return await callRoute(server.fetch, rpcKey, path, input);
    } catch (error) {
      throw rpcError(error);
    }
  };

  return class Sessions extends WorkerEntrypoint<Env> implements SessionsRpc {
    fetch(request: Request): Promise<Response> {
      return isolateOf(this.env).server.fetch(request);
    }
    start(input: StartRequest): Promise<SessionTokens> {
      return call(this.env, "/v1/sessions/start", input) as Promise<SessionTokens>;
    }
    refresh(input: RefreshRequest): Promise<SessionTokens> {
      return call(this.env, "/v1/sessions/refresh", input) as Promise<SessionTokens>;
    }
    verify(input: VerifyRequest): Promise<VerifyResult> {
      return call(this.env, "/v1/sessions/verify", input) as Promise<VerifyResult>;
    }
    revoke(input: RevokeRequest): Promise<RevokeResult> {
      return call(this.env, "/v1/sessions/revoke", input) as Promise<RevokeResult>;
    }
  };
}
