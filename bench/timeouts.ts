/**
 * The time bounds of the engine's and the SSH target's tests (tests/engine/lab.test.ts,
 * tests/targets/ssh.test.ts), measured as they measure them, on an idle machine and with both
 * cores busy (two spinning processes), in one run: how long past its 2 s timeout a timed-out
 * cell ends (bounds 500 ms locally, 600 ms over SSH), the whole timeout chapter (8 s, 10 s),
 * and a cell of `true` over a reused SSH connection (20 ms). Worst of RUNS runs each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runChapter } from '../runner/chapter-run.ts';
import { Lab, sweepStaleLabs } from '../runner/lab.ts';
import { LOCAL, type Target } from '../runner/target.ts';
import { parseTarget } from '../runner/target-parse.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { SSHD, startSshd } from '../tests/targets/sshd.ts';
import { report } from './figure.ts';

const RUNS = Number(process.env.BENCH_TIMEOUT_RUNS ?? 3);
const chapter = loadChapter(new URL('../tests/fixtures/timeout.md', import.meta.url).pathname);

interface Worst {
  overrunMs: number;
  chapterMs: number;
  trueMs: number;
}

async function measure(target: Target): Promise<Worst> {
  const worst = { overrunMs: 0, chapterMs: 0, trueMs: 0 };
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const recording = await runChapter(chapter, 'timeout', { target });
    worst.chapterMs = Math.max(worst.chapterMs, performance.now() - started);
    const sleeps = recording.cells.find((c) => c.id === 'sleeps');
    if (sleeps?.status !== 'timed-out') throw new Error(`the sleeps cell ended ${sleeps?.status}`);
    worst.overrunMs = Math.max(worst.overrunMs, sleeps.durationMs - 2000);
    const lab = await Lab.create(target);
    try {
      const t = performance.now();
      for (let j = 0; j < 20; j++) await lab.shell.run('true', { timeoutMs: 5000 });
      worst.trueMs = Math.max(worst.trueMs, (performance.now() - t) / 20);
    } finally {
      await lab.close();
    }
  }
  return worst;
}

async function busy<T>(fn: () => Promise<T>): Promise<T> {
  const hogs: ChildProcess[] = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  try {
    return await fn();
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
}

await sweepStaleLabs();
const targets: [string, Target, () => Promise<void>][] = [['local', LOCAL, async () => {}]];
if (existsSync(SSHD)) {
  const sshd = await startSshd();
  const target = parseTarget(sshd.url, { identity: sshd.identity, knownHosts: sshd.knownHosts });
  targets.push([
    'ssh',
    target,
    async () => {
      await target.close();
      await sshd.stop();
    },
  ]);
}
for (const [name, target, stop] of targets) {
  try {
    const idle = await measure(target);
    const loaded = await busy(() => measure(target));
    console.error(`${name}: idle ${JSON.stringify(idle)}, busy ${JSON.stringify(loaded)}`);
    const bound = name === 'local' ? { overrun: 500, chapter: 8000 } : { overrun: 600, chapter: 10_000 };
    report({
      figure: `${name}: a timed-out cell past its 2 s timeout, worst of ${RUNS}, both cores busy`,
      value: loaded.overrunMs,
      anchor: 'same, idle machine',
      anchorValue: idle.overrunMs,
      unit: 'ms',
      target: `value < ${bound.overrun} ms (the test's bound)`,
    });
    report({
      figure: `${name}: the timeout chapter, worst of ${RUNS}, both cores busy`,
      value: loaded.chapterMs,
      anchor: 'same, idle machine',
      anchorValue: idle.chapterMs,
      unit: 'ms',
      target: `value < ${bound.chapter} ms (the test's bound)`,
    });
    report({
      figure: `${name}: a cell of true, mean of 20, worst of ${RUNS}, both cores busy`,
      value: loaded.trueMs,
      anchor: 'same, idle machine',
      anchorValue: idle.trueMs,
      unit: 'ms',
      target: name === 'ssh' ? "value < 20 ms (the test's bound)" : 'no target',
    });
  } finally {
    await stop();
  }
}
