/**
 * WebCrypto's `CryptoKey` as the project's own global `crypto` declares it. The DOM lib,
 * @cloudflare/workers-types and @types/node each declare `crypto.subtle`, but only the first two
 * a global `CryptoKey` type: naming that type in a public signature fails to compile in a Node
 * project without the DOM lib (TS2304). Inferred from `importKey`, the key is the very type the
 * project's `crypto.subtle` returns and takes; with no `crypto` declared at all, a structural
 * description of it.
 */
export type CryptoKeyLike = typeof globalThis extends {
  crypto: { subtle: { importKey(...args: never[]): Promise<infer Key> } };
}
  ? Key
  : { readonly type: string; readonly extractable: boolean; readonly algorithm: { name: string }; readonly usages: string[] };
