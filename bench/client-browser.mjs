// Issue 5 part 4 in Chromium: persisting a session in IndexedDB with and without
// encryptedStorage (the page's non-extractable key), 100 concurrent get() in one page, and
// 5 pages of one origin refreshing the same session together. Requests are counted at the
// endpoint; a "logout" is a page left without a session or told its session ended.
import { SCOPE, median } from "./lib/inprocess.mjs";
import { countingEndpoint, sampleRecord } from "./lib/client-harness.mjs";
import { chromiumUnavailable, launchChromium, servePages } from "./lib/chromium.mjs";

const ROUNDS = 5;
const WRITES_PER_ROUND = 100;
const PAGES = 5;
const CONCURRENT_GETS = 100;

/** Rows for bench/client.mjs; every case that cannot run says why. */
export async function browserClientCases() {
  const labels = {
    persist: "Chromium: persist a session, encryptedStorage(indexedDBStorage()) vs indexedDBStorage()",
    gets: `Chromium: ${CONCURRENT_GETS} concurrent get() in one page, inside the refresh margin`,
    pages: `Chromium: ${PAGES} pages of one origin refreshing together`,
  };
  const missing = chromiumUnavailable();
  if (missing) return Object.values(labels).map((label) => ({ label, note: `skipped: ${missing}` }));
  const endpoint = await countingEndpoint();
  let site;
  let browser;
  try {
    site = await servePages(endpoint.fetch);
    browser = await launchChromium();
    const context = await browser.newContext();
    const setup = { url: site.url, publishableKey: endpoint.bench.publishableKey, scope: SCOPE };
    return [
      await attempt(labels.persist, async () => persist(context, setup, sampleRecord(await endpoint.bench.start()))),
      await attempt(labels.gets, () => concurrentGets(context, setup, endpoint)),
      await attempt(labels.pages, () => pagesTogether(context, setup, endpoint)),
    ];
  } catch (error) {
    return Object.values(labels).map((label) => ({ label, note: `could not run: ${String(error?.message ?? error).split("\n")[0]}` }));
  } finally {
    await browser?.close();
    await site?.close();
    await endpoint.bench.close();
  }
}

async function attempt(label, run) {
  try {
    return { label, ...(await run()) };
  } catch (error) {
    return { label, note: `could not run: ${String(error?.message ?? error).split("\n")[0]}` };
  }
}

async function openPage(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => typeof globalThis.Tessera === "object");
  return page;
}

async function persist(context, setup, record) {
  const page = await openPage(context, setup.url);
  try {
    const samples = await page.evaluate(
      async ({ record, rounds, writes }) => {
        const { indexedDBStorage, encryptedStorage } = globalThis.Tessera;
        const plain = indexedDBStorage({ database: "bench-plain" });
        // The browser default: the non-extractable key generated once and kept in IndexedDB.
        const encrypted = encryptedStorage(indexedDBStorage({ database: "bench-encrypted" }));
        const time = async (storage, count) => {
          const started = performance.now();
          for (let i = 0; i < count; i++) await storage.set(`tessera:bench:${i % 8}`, record);
          return ((performance.now() - started) * 1000) / count;
        };
        await time(plain, 20);
        await time(encrypted, 20);
        const out = { plain: [], encrypted: [] };
        for (let r = 0; r < rounds; r++) {
          out.plain.push(await time(plain, writes));
          out.encrypted.push(await time(encrypted, writes));
        }
        return out;
      },
      { record, rounds: ROUNDS, writes: WRITES_PER_ROUND },
    );
    const plainUs = median(samples.plain);
    const encryptedUs = median(samples.encrypted);
    return {
      value: `${(encryptedUs / 1000).toFixed(3)} ms vs ${(plainUs / 1000).toFixed(3)} ms per write`,
      ratio: `${(encryptedUs / plainUs).toFixed(2)}× the time`,
      note: `${record.length} B record; +${((encryptedUs - plainUs) / 1000).toFixed(3)} ms for AES-GCM (median of ${ROUNDS} × ${WRITES_PER_ROUND})`,
    };
  } finally {
    await page.close();
  }
}

/**
 * Puts a client on the page. Its clock is Date.now() + window.__shift, so the bench can move a
 * stored session into the refresh margin without waiting (the shift is 0 while the session is
 * adopted, so the client measures no skew). autoRefresh is off: the get() calls below are the
 * refreshes being counted, not timers.
 */
function installClient(page, setup) {
  return page.evaluate(({ url, publishableKey, scope }) => {
    globalThis.__shift = 0;
    globalThis.__ended = 0;
    globalThis.__client = globalThis.Tessera.createClient({
      baseUrl: url,
      accessKey: publishableKey,
      product: scope.product,
      env: scope.env,
      autoRefresh: false,
      now: () => Date.now() + globalThis.__shift,
    });
    globalThis.__client.sessions.onChange((change) => {
      if (change.type === "ended") globalThis.__ended++;
    });
  }, setup);
}

async function adoptNewSession(page, endpoint, scope) {
  const tokens = await endpoint.bench.start();
  await page.evaluate(({ tag, tokens }) => globalThis.__client.sessions.adopt({ tag, ...tokens }), { tag: scope.tag, tokens });
  return tokens;
}

/** Moves the page's clock to 30 s before the token's expiry: inside the 60 s refresh margin. */
const intoMargin = (page, expiresAt) => page.evaluate((expiresAt) => {
  globalThis.__shift = Date.parse(expiresAt) - Date.now() - 30_000;
}, expiresAt);

async function concurrentGets(context, setup, endpoint) {
  const page = await openPage(context, setup.url);
  try {
    await installClient(page, setup);
    const tokens = await adoptNewSession(page, endpoint, setup.scope);
    await intoMargin(page, tokens.expiresAt);
    const before = endpoint.count("/v1/sessions/refresh");
    const result = await page.evaluate(async ({ tag, n }) => {
      const sessions = await Promise.all(Array.from({ length: n }, () => globalThis.__client.sessions.get({ tag })));
      return { missing: sessions.filter((s) => !s).length, distinct: new Set(sessions.map((s) => s?.refreshToken)).size };
    }, { tag: setup.scope.tag, n: CONCURRENT_GETS });
    const sent = endpoint.count("/v1/sessions/refresh") - before;
    return {
      value: `${sent} refresh request${sent === 1 ? "" : "s"}`,
      note: `must be 1: ${sent === 1 ? "met" : "MISSED"}; ${result.distinct} distinct session(s), ${result.missing} get() without a session`,
      ok: sent === 1,
    };
  } finally {
    await page.close();
  }
}

/**
 * Five pages share one origin, so one IndexedDB and one BroadcastChannel. The session is
 * adopted in the first page (the others read it from IndexedDB), every clock is moved into
 * the margin, and all five call get() at the same moment.
 */
async function pagesTogether(context, setup, endpoint) {
  const pages = [];
  try {
    for (let i = 0; i < PAGES; i++) pages.push(await openPage(context, setup.url));
    for (const page of pages) await installClient(page, setup);
    const tokens = await adoptNewSession(pages[0], endpoint, setup.scope);
    // Every page sees the adopted session before the race starts.
    for (const page of pages) {
      const seen = await page.evaluate((tag) => globalThis.__client.sessions.get({ tag }).then((s) => s?.sessionId), setup.scope.tag);
      if (seen !== tokens.sessionId) throw new Error("a page does not see the adopted session");
    }
    for (const page of pages) await intoMargin(page, tokens.expiresAt);
    const before = endpoint.count("/v1/sessions/refresh");
    // Armed in every page first, then released together: one timestamp a little ahead.
    const at = Date.now() + 300;
    const results = await Promise.all(
      pages.map((page) =>
        page.evaluate(async ({ tag, at }) => {
          await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
          try {
            const session = await globalThis.__client.sessions.get({ tag });
            return { sessionId: session?.sessionId ?? null, refreshToken: session?.refreshToken ?? null };
          } catch (error) {
            return { error: String(error?.code ?? error) };
          }
        }, { tag: setup.scope.tag, at }),
      ),
    );
    // Let broadcasts and commit guards settle, then look at what each page holds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = endpoint.count("/v1/sessions/refresh") - before;
    const after = await Promise.all(
      pages.map((page) =>
        page.evaluate(async (tag) => {
          globalThis.__shift = 0;
          const session = await globalThis.__client.sessions.get({ tag });
          return { sessionId: session?.sessionId ?? null, refreshToken: session?.refreshToken ?? null, ended: globalThis.__ended };
        }, setup.scope.tag),
      ),
    );
    const logouts =
      results.filter((r) => r.error || r.sessionId !== tokens.sessionId).length +
      after.filter((r) => r.sessionId !== tokens.sessionId).length +
      after.reduce((n, r) => n + r.ended, 0);
    const held = new Set(after.map((r) => r.refreshToken)).size;
    const errors = results.filter((r) => r.error).map((r) => r.error);
    return {
      value: `${sent} refresh request${sent === 1 ? "" : "s"}, ${logouts} logout${logouts === 1 ? "" : "s"}`,
      note: `logouts must be 0: ${logouts === 0 ? "met" : "MISSED"}; afterwards the pages hold ${held} refresh token(s)${errors.length ? `; errors: ${errors.join(", ")}` : ""}`,
      ok: logouts === 0,
    };
  } finally {
    for (const page of pages) await page.close();
  }
}
