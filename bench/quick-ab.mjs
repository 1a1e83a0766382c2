// Quick A/B for development: raw jose vs server.fetch for one operation, CPU µs per request.
//   node bench/quick-ab.mjs start|verify|refresh memory|sqlite [rounds]
import { closedLoop, createBenchServer, median } from "./lib/inprocess.mjs";
import { rawCrypto } from "./lib/raw-crypto.mjs";
const [op = "start", store = "memory", rounds = "5"] = process.argv.slice(2);
const bench = await createBenchServer(store, { root: process.env.AB_ROOT });
const raw = await rawCrypto(bench.jwk);
const tokens = []; for (let i = 0; i < 100; i++) tokens.push((await bench.start()).token);
const chains = []; for (let i = 0; i < 8; i++) chains.push((await bench.start()).refreshToken);
let n = 0;
const step = { start: () => bench.start(), verify: () => bench.verify(tokens[n++ % 100]), refresh: async (w) => void (chains[w] = (await bench.refresh(chains[w])).refreshToken) }[op];
const r = [], s = [];
await closedLoop(raw[op], { ms: 300, concurrency: 8 }); await closedLoop(step, { ms: 300, concurrency: 8 });
for (let i = 0; i < Number(rounds); i++) {
  r.push((await closedLoop(raw[op], { ms: 500, concurrency: 8 })).cpuUs);
  s.push((await closedLoop(step, { ms: 500, concurrency: 8 })).cpuUs);
}
console.log(`${op} ${store}: raw ${median(r).toFixed(0)} µs, server ${median(s).toFixed(0)} µs, CPU ratio ${(median(r) / median(s)).toFixed(2)}×  errors ${bench.errors.length}`);
await bench.close();
