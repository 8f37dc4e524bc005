/**
 * The live runner through its WebSocket, as pages use it: time from a Run message to the
 * first output byte, the whole cell through the WebSocket against the same cell run
 * directly in a session, and 20 concurrent page sessions against one alone, with the
 * runner's memory. Targets: first byte under 5 ms median; 20 sessions at most 2x the latency.
 * The 20 sessions run a cell every 100 ms each (200 cells/s in all, far beyond what readers
 * press); a second figure has them run back to back, which on 2 cores measures queueing.
 */
import { Lab } from '../runner/lab.ts';
import { LOCAL } from '../runner/target.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { median, report } from './figure.ts';
import { pageSession, rssMiB, startServe } from './pages.ts';

const CHAPTER = new URL('../tests/fixtures/live.md', import.meta.url).pathname;
const builtin = loadChapter(CHAPTER).cells.find((c) => c.id === 'builtin');
if (!builtin) throw new Error('the fixture has no builtin cell');
const runner = await startServe(CHAPTER);
const page = (count: number, pauseMs = 0) =>
  pageSession({ port: runner.port, token: runner.token, chapter: 'live', cell: builtin, count, pauseMs });

try {
  const direct: number[] = [];
  const lab = await Lab.create(LOCAL);
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await lab.shell.run(builtin.code, { timeoutMs: 5000 });
    direct.push(performance.now() - t);
  }
  await lab.close();

  const idleRss = rssMiB(runner.child.pid as number);
  const alone = await page(200);
  const alonePaced = await page(50, 100);
  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB(runner.child.pid as number));
  }, 20);
  const crowd = await Promise.all(Array.from({ length: 20 }, () => page(50, 100)));
  const saturated = await Promise.all(Array.from({ length: 20 }, () => page(50)));
  clearInterval(sampler);

  report({
    figure: 'Run to first output byte, median',
    value: median(alone.firstByte),
    anchor: 'same cell run directly in a session',
    anchorValue: median(direct),
    unit: 'ms',
    target: 'value < 5 ms',
  });
  report({
    figure: 'cell through the WebSocket, median',
    value: median(alone.whole),
    anchor: 'same cell run directly in a session',
    anchorValue: median(direct),
    unit: 'ms',
    target: 'overhead, no target',
  });
  report({
    figure: 'cell latency, 20 sessions each every 100 ms, median',
    value: median(crowd.flatMap((p) => p.whole)),
    anchor: 'one session alone, every 100 ms',
    anchorValue: median(alonePaced.whole),
    unit: 'ms',
    target: 'ratio <= 2',
  });
  report({
    figure: 'cell latency, 20 sessions back to back, median',
    value: median(saturated.flatMap((p) => p.whole)),
    anchor: 'one session alone',
    anchorValue: median(alone.whole),
    unit: 'ms',
    target: 'queueing on 2 cores, no target',
  });
  report({
    figure: 'runner memory (RSS) with 20 sessions, peak',
    value: peakRss,
    anchor: 'runner idle',
    anchorValue: idleRss,
    unit: 'MiB',
    target: 'bounded, no target',
  });
} finally {
  await runner.stop();
}
