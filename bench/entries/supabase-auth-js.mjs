// What a web app ships to keep a supabase session: the GoTrueClient with its default
// browser persistence (localStorage) and auto refresh. Exported, not run, so esbuild keeps
// exactly what is reachable from the constructor.
import { GoTrueClient } from "@supabase/auth-js";

export function createBenchClient(url) {
  return new GoTrueClient({ url, storageKey: "bench-auth", autoRefreshToken: true, persistSession: true });
}
