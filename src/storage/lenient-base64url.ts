/**
 * base64url (RFC 4648 §5, unpadded) for what the client reads and writes itself: encrypted
 * records and the `iat` of a JWT it only times itself by. Smaller than the server's strict codec
 * in src/shared/base64url.ts, which the script-tag build then leaves out (about 120 B gzipped of
 * its 10 KiB budget). Encoding gives the same text. Decoding does not refuse non-canonical
 * input: a record part that decodes to other bytes fails AES-GCM authentication like any
 * tampered record, so strictness would buy nothing here. Never use it to check a token.
 */
export function toBase64url(bytes: Uint8Array): string {
  let binary = "";
  // One byte at a time: spreading a large array into fromCharCode can exceed the argument limit.
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Throws (atob's InvalidCharacterError, or a TypeError for no text) on what is not base64. */
export const fromBase64url = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
