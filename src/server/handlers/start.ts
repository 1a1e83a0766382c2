import { invalidArgument, SessionError } from "../../shared/errors.js";
import { recordActivity } from "../activity.js";
import type { Handler } from "../context.js";
import { requireCaller } from "../http/access.js";
import { readJsonBody } from "../http/read-body.js";
import { json } from "../http/respond.js";
import { completeIdempotent, idempotencyOf, replayOrClaim } from "../idempotency.js";
import { bindingForStart } from "../dpop/binding.js";
import { identifierOf } from "../identifier.js";
import { issuePair } from "../issue-pair.js";
import { resolveScope } from "../scope.js";
import { hashRefreshToken } from "../tokens/refresh-token.js";
import { MAX_TOKEN_CHARS } from "../tokens/session-token.js";
import { boundedJson } from "../data-bounds.js";

/** POST /v1/sessions/start: validate data, store the session, answer 201 with the pair. */
export const startSession: Handler = async (server, { request, caller }) => {
  const known = requireCaller(caller);
  const body = await readJsonBody(request, server.maxBodyBytes);
  const { config, scope } = resolveScope(server, body, caller);
  // DESIGN.md: minting a session for an identity needs a secret key, unless the tag is for guests.
  if (known.kind !== "secret" && !config.public) {
    throw new SessionError("FORBIDDEN", `a publishable key cannot start "${config.tag}" sessions (the config is not public)`);
  }
  if (body.data === undefined) throw invalidArgument("data", "is required");
  // Bounded before anything walks it (the validator, the idempotency hash), and again as
  // validated: a Standard Schema may accept, or output, any JSON.
  boundedJson(body.data, "data");
  const data = await config.validate(body.data);
  boundedJson(data, "data");
  const identifier = identifierOf(config, data);
  const jkt = await bindingForStart(server, config, request, body);
  const startAt = server.now();

  // Every browser shares the publishable key, so a record scoped to it would hand one visitor's
  // tokens to another who sent the same key and body. Nothing else identifies a browser to the
  // server before it holds a session: publishable starts are not idempotent (a retried guest
  // start may make a second guest session, which expires unused).
  const idem = known.kind === "secret" ? idempotencyOf(request, known.fingerprint, { ...scope, data: body.data }) : null;
  if (idem) {
    const replay = await replayOrClaim(server, idem, startAt);
    if (replay) return json(201, replay, { "idempotent-replayed": "true" });
  }
  try {
    const sessionId = crypto.randomUUID();
    const dataJwe = await server.cipher.encrypt(sessionId, data);
    const { tokens, refreshExpiresAt } = await issuePair(server, config, { sessionId, identifier, dataJwe, jkt, ...scope }, startAt);
    // Refused here rather than issued: verify refuses longer tokens and servers refuse such
    // headers (Node: 16 KiB for all headers together, 431), and every refresh would re-issue it.
    if (tokens.token.length > MAX_TOKEN_CHARS) {
      throw invalidArgument("data", `makes a session token of ${tokens.token.length} characters, over the ${MAX_TOKEN_CHARS} limit (keep data under about 4 KB of JSON)`);
    }
    await server.store.createSession({
      id: sessionId,
      ...scope,
      identifier,
      data: dataJwe,
      createdAt: startAt,
      refreshExpiresAt,
      revokedAt: null,
      refreshHash: await hashRefreshToken(tokens.refreshToken),
      generation: 0,
      rotatedAt: null,
      sealedPair: null,
      ...(jkt ? { jkt } : {}),
    });
    if (idem) await completeIdempotent(server, idem, tokens);
    await recordActivity(server, { ...scope, operation: "create", status: "success", startAt, message: "session started", sessionId, identifier });
    return json(201, tokens);
  } catch (error) {
    if (idem) await server.store.releaseIdempotency(idem.storeKey).catch(server.onError);
    throw error;
  }
};
