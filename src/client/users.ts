import { invalidArgument as invalid } from "../shared/errors.js";
import type { Api } from "./api.js";
import type { NormalizedOptions } from "./options.js";
import type { Users } from "./types.js";
import { argsWith, checkTime } from "./validate.js";

const OPERATIONS = ["create", "verify", "refresh", "revoke", "track"];

/** One of `choices`, or absent. */
const oneOf = (value: unknown, field: string, choices: string[]) => {
  if (value !== undefined && !choices.includes(value as string)) throw invalid(field, `must be one of ${choices}`);
  return value;
};

/**
 * `tessera.users`: the session users and their timelines, for backends holding the secret
 * key. Arguments are checked before any request, as for `tessera.sessions`.
 */
export function createUsers(options: NormalizedOptions, { call }: Api): Users {
  const argsOf = argsWith(options as never);
  const get = { method: "get" } as const;
  return {
    async list(args) {
      // product and env fall back to the client's defaults; without them (and without a tag),
      // every product, env and tag the key reaches.
      const query = argsOf(args, "product?", "env?", "tag?", "search?", "page#", "limit#");
      if (args.active !== undefined && typeof args.active != "boolean") throw invalid("active", "must be a boolean");
      return call("/users", { ...query, active: args.active }, get);
    },
    async activity(args) {
      const { identifier, ...query } = argsOf(args, "identifier", "product?", "env?", "tag?", "page#", "limit#");
      oneOf(args.operation, "operation", OPERATIONS);
      oneOf(args.status, "status", ["success", "fail"]);
      const range = { from: checkTime(args.from, "from"), to: checkTime(args.to, "to") };
      return call(`/users/${encodeURIComponent(identifier as string)}/activity`, { ...query, operation: args.operation, status: args.status, ...range }, get);
    },
  };
}
