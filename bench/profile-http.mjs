// Where `tessera dev`'s CPU goes under HTTP load: runs the CLI (bundled from src/) under
// `node --cpu-prof`, drives one case with autocannon, stops it, and summarises the profile
// like bench/profile-server.mjs does.
//   node bench/profile-http.mjs start|verify [seconds] [connections]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleSource, ROOT } from "./lib/bundle.mjs";
import { loadTest } from "./lib/load.mjs";
import { startServerProcess } from "./lib/server-process.mjs";
import { formatTable } from "./lib/table.mjs";
import { summarize } from "./profile-server.mjs";
import { startSessions } from "./tessera-http.mjs";

const [op = "start", seconds = "4", connections = "10"] = process.argv.slice(2);
const SCOPE = { product: "my-product-tag", env: "snd", tag: "session-tag" };
const START_BODY = { ...SCOPE, data: { userId: "1919102009383", details: { username: "feekayo", email: "fikayo@ductape.app" } } };
const cli = await bundleSource("src/cli/main.ts", "cli-profile");
const dir = mkdtempSync(join(tmpdir(), "tessera-prof-http-"));
const proc = await startServerProcess(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, cli, "dev", "--port", "0", "--data-dir", join(dir, "data"), "--config", join(ROOT, "examples/tessera.config.json")], { cwd: ROOT, ready: /publishable key\s+\S+/ });
const out = proc.output();
const server = { url: proc.url, secretKey: /secret key\s+(\S+)/.exec(out)[1], publishableKey: /publishable key\s+(\S+)/.exec(out)[1] };
let options;
if (op === "verify") {
  const sessions = await startSessions(server, { count: 100 });
  options = { url: `${server.url}/v1/sessions/verify`, method: "POST", headers: { authorization: `Bearer ${server.publishableKey}` }, bodies: sessions.map((s) => ({ ...SCOPE, token: s.token })), cycle: true };
} else {
  options = { url: `${server.url}/v1/sessions/start`, method: "POST", headers: { authorization: `Bearer ${server.secretKey}` }, body: START_BODY };
}
const result = await loadTest({ duration: Number(seconds), connections: Number(connections), ...options });
await proc.stop();
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
const { byArea, byFunction, total } = summarize(JSON.parse(readFileSync(join(dir, file), "utf8")));
const count = result.requests;
const pct = (us) => `${((us / total) * 100).toFixed(1)}%`;
console.log(`${op}: ${Math.round(result.rps)} req/s, ${count} requests, ${result.non2xx} non-2xx`);
console.log(formatTable(["area", "share", "µs/request"], byArea.filter(([, v]) => v / total >= 0.005).map(([k, v]) => [k, pct(v), (v / count).toFixed(1)])));
console.log(formatTable(["function", "where", "share", "µs/request"], byFunction.slice(0, 30).map(([k, v]) => [...k.split("|"), pct(v), (v / count).toFixed(1)])));
console.log(`profile: ${join(dir, file)}`);
