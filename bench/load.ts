/**
 * Latency percentiles under load: 20 page sessions of one `labbook serve`, each running a
 * cell about every 100 ms for 20 s, against one page alone at the same pace for 10 s, in the
 * same run. The tail (p99) is what a reader notices; target: within 3x of alone.
 */
import { loadChapter } from '../src/cells/parse.ts';
import { report } from './figure.ts';
import { pageSession, percentile, rssMiB, startServe } from './pages.ts';

const CHAPTER = new URL('../tests/fixtures/live.md', import.meta.url).pathname;
const builtin = loadChapter(CHAPTER).cells.find((c) => c.id === 'builtin');
if (!builtin) throw new Error('the fixture has no builtin cell');
const runner = await startServe(CHAPTER);
const pages = (n: number, seconds: number) => {
  const untilMs = performance.now() + seconds * 1000;
  const one = () =>
    pageSession({ port: runner.port, token: runner.token, chapter: 'live', cell: builtin, untilMs, pauseMs: 100 });
  return Promise.all(Array.from({ length: n }, one));
};

try {
  const idle = rssMiB(runner.child.pid as number);
  const alone = (await pages(1, 10)).flatMap((r) => r.whole);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(runner.child.pid as number));
  }, 100);
  const crowd = await pages(20, 20).finally(() => clearInterval(sampler));
  const failures = crowd.flatMap((r) => r.failures);
  if (failures.length) throw new Error(`cells failed under load: ${failures.slice(0, 3).join('; ')}`);
  const loaded = crowd.flatMap((r) => r.whole);
  for (const p of [50, 90, 99]) {
    report({
      figure: `cell latency p${p}, 20 sessions each every 100 ms (${loaded.length} cells)`,
      value: percentile(loaded, p),
      anchor: `p${p}, one session alone, same pace (${alone.length} cells)`,
      anchorValue: percentile(alone, p),
      unit: 'ms',
      target: p === 99 ? 'ratio <= 3' : 'no target',
    });
  }
  report({
    figure: 'runner memory (RSS) under that load, peak',
    value: peak,
    anchor: 'runner idle',
    anchorValue: idle,
    unit: 'MiB',
    target: 'bounded, no target',
  });
} finally {
  await runner.stop();
}
