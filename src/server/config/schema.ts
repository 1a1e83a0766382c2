import { invalidArgument as invalid, SessionError } from "../../shared/errors.js";
import { isStandardSchema, type StandardSchemaV1 } from "./standard-schema.js";
import type { TypeMap } from "./types.js";

type Validator = (data: unknown) => Promise<Record<string, unknown>>;

const LEAF = /^(string|number|boolean)(\?)?$/;
/** Session data rides inside every token: keep it small and shallow. */
const MAX_DEPTH = 8;

/**
 * Checks a type map at creation time (throws `problem(field, message)`), and returns the
 * validator of `data` for it. Unknown fields in `data` are refused: whatever is not in the
 * schema would otherwise ride, unchecked, in every token.
 */
export function compileSchema(
  schema: unknown,
  problem: (field: string, message: string) => SessionError,
): { validate: Validator; typeMap: TypeMap | null } {
  if (isStandardSchema(schema)) return { validate: standardValidator(schema), typeMap: null };
  checkTypeMap(schema, "schema", 0, problem);
  const map = schema as TypeMap;
  return {
    typeMap: map,
    validate: async (data) => {
      checkValue(data, map, "data");
      return data as Record<string, unknown>;
    },
  };
}

function checkTypeMap(node: unknown, field: string, depth: number, problem: (f: string, m: string) => SessionError) {
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    throw problem(field, "must be an object of field types or a Standard Schema validator");
  }
  if (depth > MAX_DEPTH) throw problem(field, `nests deeper than ${MAX_DEPTH} levels`);
  const entries = Object.entries(node);
  if (entries.length === 0) throw problem(field, "declares no fields");
  for (const [key, type] of entries) {
    if (typeof type === "string") {
      if (!LEAF.test(type)) throw problem(`${field}.${key}`, `unknown type "${type}" (string, number, boolean, with an optional "?")`);
    } else {
      checkTypeMap(type, `${field}.${key}`, depth + 1, problem);
    }
  }
}

function checkValue(value: unknown, map: TypeMap, field: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(field, "must be an object");
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.prototype.hasOwnProperty.call(map, key)) throw invalid(`${field}.${key}`, "is not in the session schema");
  }
  for (const [key, type] of Object.entries(map)) {
    const child = record[key];
    const path = `${field}.${key}`;
    if (typeof type !== "string") {
      checkValue(child, type, path);
      continue;
    }
    const [, base, optional] = LEAF.exec(type)!;
    if (child === undefined || child === null) {
      if (optional) continue;
      throw invalid(path, `is required (${base})`);
    }
    if (typeof child !== base || (base === "number" && !Number.isFinite(child))) {
      throw invalid(path, `must be a ${base}`);
    }
  }
}

function standardValidator(schema: StandardSchemaV1): Validator {
  return async (data) => {
    const result = await schema["~standard"].validate(data);
    if (result.issues) {
      const issue = result.issues[0];
      const path = (issue?.path ?? []).map((p) => String(typeof p === "object" ? p.key : p));
      const field = ["data", ...path].join(".");
      throw new SessionError("INVALID_ARGUMENT", `${field}: ${issue?.message ?? "is invalid"}`, { field });
    }
    const value = result.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid("data", "must be an object");
    return value as Record<string, unknown>;
  };
}

/** The type at a selector path of a type map, or null when the path leaves the map. */
export function typeAtPath(map: TypeMap, path: readonly string[]): string | TypeMap | null {
  let node: string | TypeMap = map;
  for (const key of path) {
    if (typeof node === "string" || !Object.prototype.hasOwnProperty.call(node, key)) return null;
    node = node[key]!;
  }
  return node;
}
