/**
 * The session token of a request: `Authorization: Session <tag>:<jwt>` first, then the named
 * cookie. A header with another scheme (`Bearer`, `Basic`) is not ours and does not stop the
 * cookie from being read.
 */
export function presentedToken(authorization: string | null | undefined, cookieHeader: string | null | undefined, cookie: string | undefined): string | null {
  const match = /^Session\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (match) return match[1]!;
  if (cookie === undefined || !cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== cookie) continue;
    let value = part.slice(eq + 1).trim();
    // RFC 6265 §4.1.1 allows a quoted value.
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      // Tokens hold only base64url, `.`, `:`; a cookie writer may still have percent-encoded the colon.
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
    return value === "" ? null : value;
  }
  return null;
}
