/**
 * Load: 20 page sessions at once against one runner, each running a cell about every 100 ms
 * for 55 s, each in a lab of its own. Prints the latency percentiles and the runner's memory;
 * when the pages are gone, nothing of their labs is left, the runner holds no session and
 * its memory is back near where it started.
 *
 * The runner is served in this process (its session map is what must empty), so RSS here
 * is the runner's and the test's 20 clients together; the clients keep only numbers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageSession, percentile } from '../../bench/pages.ts';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import { type RunnerServer, serve } from '../../runner/server/server.ts';
import { LOCAL } from '../../runner/target.ts';
import { labLeftovers, labsStartedBy } from '../host-state.ts';
import { SITE } from '../live/page-client.ts';

const PAGES = 20;
const DURATION_MS = 55_000;
const GRACE_MS = 1000;
const CHAPTER = new URL('../fixtures/live.md', import.meta.url).pathname;
const catalog = loadCatalog([{ slug: 'live', file: CHAPTER }]);
const builtin = catalog.chapters.get('live')?.cells.find((c) => c.id === 'builtin');
const token = newToken();
let server: RunnerServer;

const mib = () => process.memoryUsage().rss / 2 ** 20;

beforeAll(async () => {
  await sweepStaleLabs();
  server = await serve({
    port: 0,
    token,
    origins: new Set([SITE]),
    allowEdit: false,
    catalog,
    target: LOCAL,
    detachedGraceMs: GRACE_MS,
  });
});
afterAll(() => server?.close());

it(`${PAGES} page sessions running cells for ${DURATION_MS / 1000} s: latency, memory, and nothing left`, async () => {
  if (!builtin) throw new Error('the live fixture has no builtin cell');
  const page = (count: number, untilMs?: number) =>
    pageSession({ port: server.port, token, chapter: 'live', cell: builtin, count, untilMs, pauseMs: 100 });
  // One page first, so that the code of every path is loaded before memory is measured.
  await page(5);
  await expect.poll(() => server.pageSessionCount(), { timeout: 10_000 }).toBe(0);
  const startRss = mib();

  let peakRss = startRss;
  let labs: string[] = [];
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, mib());
    labs = [...new Set([...labs, ...labsStartedBy(process.pid)])];
  }, 250);
  const until = performance.now() + DURATION_MS;
  const runs = await Promise.all(Array.from({ length: PAGES }, () => page(0, until))).finally(() =>
    clearInterval(sampler),
  );

  const latencies = runs.flatMap((r) => r.whole);
  const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(latencies, p)) as [number, number, number];
  console.log(
    `${PAGES} pages, ${latencies.length} cells in ${DURATION_MS / 1000} s: latency p50 ${p50.toFixed(2)} ms, ` +
      `p90 ${p90.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
      `RSS ${startRss.toFixed(0)} MiB at the start, ${peakRss.toFixed(0)} MiB at the peak`,
  );
  expect(runs.flatMap((r) => r.failures)).toEqual([]);
  expect(labs).toHaveLength(PAGES);
  // Every page kept running: at ~100 ms a cell, each gets hundreds in 55 s, even on 2 busy cores.
  for (const r of runs) expect(r.whole.length).toBeGreaterThan(100);
  // A reader's Run answers well within a second, even at the tail.
  expect(p99).toBeLessThan(500);

  // The pages are gone: after the grace period each lab is closed and its cgroups removed.
  await expect.poll(() => server.pageSessionCount(), { timeout: GRACE_MS + 10_000 }).toBe(0);
  await expect.poll(() => labs.flatMap(labLeftovers), { timeout: 15_000, interval: 250 }).toEqual([]);
  expect(labsStartedBy(process.pid)).toEqual([]);
  const endRss = mib();
  console.log(`RSS ${endRss.toFixed(0)} MiB once the pages are gone`);
  // Back near the start. Measured here: 95 MiB at the start, 113 at the peak with 20 labs
  // (about 1 MiB a page session: its PTYs, buffers and socket), 97 after. 16 MiB allows V8's
  // freed but unreturned heap, and fails if most of the sessions' memory stayed.
  expect(endRss - startRss).toBeLessThan(16);
}, 150_000);
