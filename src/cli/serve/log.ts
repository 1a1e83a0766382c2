/** A structured log line on stdout: one JSON object per line, for journald, Docker or a log shipper. */
export type Log = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;

export function jsonLog(write: (line: string) => void, base: Record<string, string | number> = {}): Log {
  return (level, message, fields = {}) => write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...base, ...fields }));
}

/**
 * The path of a request as logged: the route's pattern, never the path itself, which may hold an
 * identifier (`/v1/users/<id>/activity`); the query is never logged (it may name identifiers).
 */
export function routeOf(pathname: string): string {
  if (/^\/v1\/users\/[^/]+\/activity$/.test(pathname)) return "/v1/users/:identifier/activity";
  if (/^\/(v1\/sessions(\/(start|refresh|verify|revoke|revoke-all|track))?|v1\/users|\.well-known\/jwks\.json|healthz|readyz)$/.test(pathname)) return pathname;
  return "(other)";
}
