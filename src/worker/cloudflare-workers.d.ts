// The part of the `cloudflare:workers` module this entry uses. Declared here rather than through
// @cloudflare/workers-types, whose globals clash with the DOM types the rest of src/ is checked with.
declare module "cloudflare:workers" {
  export abstract class WorkerEntrypoint<Env = unknown> {
    protected ctx: { waitUntil(promise: Promise<unknown>): void };
    protected env: Env;
    constructor(ctx: unknown, env: Env);
  }
}
