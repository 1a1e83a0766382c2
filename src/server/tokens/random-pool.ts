/**
 * Random bytes from `crypto.getRandomValues`, drawn 4 KiB at a time and handed out in slices,
 * each byte once (the consumed part of the pool is zeroed). Issue 5: three small
 * getRandomValues calls per started session (refresh token, jti, the data JWE's IV) cost
 * ~8% of a start request in Node, where each call is a trip into the CSPRNG; Node's own
 * crypto.randomUUID buffers the same way. Drawn lazily: Workers refuse randomness at
 * module scope.
 */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let offset = 0;

export function randomBytes(length: number): Uint8Array {
  if (length > POOL_BYTES / 4) return crypto.getRandomValues(new Uint8Array(length));
  if (offset + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    offset = 0;
  }
  const out = pool.slice(offset, offset + length);
  pool.fill(0, offset, offset + length);
  offset += length;
  return out;
}
