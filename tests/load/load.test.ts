/**
 * Load: 20 page sessions at once against one runner, each running a cell about every 100 ms
 * for 55 s, each in a lab of its own (bench/crowd.ts, which bench/memory.ts measures too).
 * Prints the latency percentiles and the runner's memory; when the pages are gone, nothing
 * of their labs is left, the runner holds no page session, and neither file descriptors nor
 * referenced memory stayed.
 *
 * A soak test (its name says so), kept in `npm test`: about 70 s of the suite's 7 minutes,
 * spent beside the other files, and the only test of the runner under the load of a class of
 * readers, of its memory over thousands of cells and of its cleanup of 20 labs at once.
 *
 * The runner is served in this process (its map of page sessions is what must empty), so
 * memory here is the runner's and the test's 20 clients together; the clients keep only
 * numbers.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crowd } from '../../bench/crowd.ts';
import { percentile } from '../../bench/pages.ts';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { labLeftovers, labsStartedBy } from '../host-state.ts';
import { testRunner } from '../live/page-client.ts';

const PAGES = 20;
const DURATION_MS = 55_000;
const GRACE_MS = 1000;
const CHAPTER = new URL('../fixtures/live.md', import.meta.url).pathname;
const SWEEP = new URL('../../runner/shell/lab-sweep.sh', import.meta.url).pathname;
const catalog = loadCatalog([{ slug: 'live', file: CHAPTER }]);
const builtin = catalog.chapters.get('live')?.cells.find((c) => c.id === 'builtin');
const token = newToken();
let server: RunnerServer;

beforeAll(async () => {
  await sweepStaleLabs();
  server = await testRunner(catalog, token, { detachedGraceMs: GRACE_MS });
});
afterAll(() => server?.close());

it(`soak: ${PAGES} page sessions running cells for ${DURATION_MS / 1000} s: latency, memory, and nothing left`, async () => {
  if (!builtin) throw new Error('the live fixture has no builtin cell');
  const c = await crowd({
    server,
    token,
    chapter: 'live',
    cell: builtin,
    pages: PAGES,
    durationMs: DURATION_MS,
    graceMs: GRACE_MS,
  });
  const latencies = c.runs.flatMap((r) => r.whole);
  const [p50, p90, p99] = [50, 90, 99].map((p) => percentile(latencies, p)) as [number, number, number];
  const f = (n: number) => n.toFixed(1);
  console.log(
    `${PAGES} pages, ${latencies.length} cells in ${DURATION_MS / 1000} s: latency p50 ${p50.toFixed(2)} ms, ` +
      `p90 ${p90.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
      `RSS ${f(c.rss.start)} MiB at the start, ${f(c.rss.peak)} at the peak, ${f(c.rss.end)} once the pages are gone; ` +
      `referenced after GC ${f(c.referenced.start)} → ${f(c.referenced.held)} with the page sessions held → ${f(c.referenced.end)} MiB; ` +
      `open fds ${c.fds.start} → ${c.fds.held} → ${c.fds.end}`,
  );
  expect(c.runs.flatMap((r) => r.failures)).toEqual([]);
  expect(c.labs).toHaveLength(PAGES);
  // Every page kept running: at ~100 ms a cell, each gets hundreds in 55 s, even on 2 busy cores.
  for (const r of c.runs) expect(r.whole.length).toBeGreaterThan(100);
  // A reader's Run answers within a second, even at the tail. bench/memory.ts, which runs this
  // test: p99 92 ms on an idle machine, 365 ms with both cores busy (it was bounded at 500).
  expect(p99).toBeLessThan(1000);

  // The pages are gone (crowd() waited for it): after the grace period each page session
  // expired and its lab closed: its processes are gone, and its cgroups too, or (when the
  // close gave up on them, on a busy machine) the next start's sweep removes them.
  expect(server.pageSessionCount()).toBe(0);
  const processes = () => c.labs.flatMap(labLeftovers).filter((l) => l.startsWith('process '));
  await expect.poll(processes, { timeout: 15_000, interval: 250 }).toEqual([]);
  if (c.leftByClose) {
    console.log(`the labs' close left ${c.leftByClose}; the sweep removes it`);
    execFileSync('bash', [SWEEP]);
  }
  expect(c.labs.flatMap(labLeftovers)).toEqual([]);
  expect(labsStartedBy(process.pid)).toEqual([]);
  // No PTY master or socket stayed open (a PTY only kill()ed, not destroy()ed, would).
  expect(c.fds.left, 'file descriptors open beyond the start').toEqual([]);
  expect(c.fds.end).toBeLessThanOrEqual(c.fds.start);
  // Nothing stayed referenced: measured after forced full collections, so V8's timing does
  // not count. bench/memory.ts: 1.2 MiB more than at the start idle, 1.5 busy (20 page
  // sessions held reference 1.4 MiB: their map emptying is checked above).
  expect(c.referenced.end - c.referenced.start).toBeLessThan(8);
  // RSS is back near the start (measured after a forced collection). It keeps what V8 and
  // malloc hold for later, which depends on when they collected and how busy the machine
  // was: bench/memory.ts measures 25.2 MiB left idle, 25.7 with both cores busy (it was
  // bounded at 16 MiB from an RSS taken without collecting, which under the whole suite
  // grew by 21.7 and 26 MiB).
  expect(c.rss.end - c.rss.start).toBeLessThan(48);
}, 150_000);
