/**
 * The fault test's fork bomb (tests/faults/faults.test.ts, the fixture's `forks` cell: 10,000
 * `sleep 5` in the background), measured as the test measures it: how many of the sleeps still
 * run in the lab's cgroup when the cell ends (the test's bound: more than it asks for), on an
 * idle machine and with both cores busy (two spinning processes), in one run. Each sleep lasts
 * 5 s, so what is left is what the last 5 s of forking made: it falls with the fork rate.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Lab, sweepStaleLabs } from '../runner/lab.ts';
import { LOCAL } from '../runner/target.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { labLeftovers } from '../tests/host-state.ts';
import { report } from './figure.ts';

const forks = loadChapter(new URL('../tests/fixtures/faults.md', import.meta.url).pathname).cells.find(
  (c) => c.id === 'forks',
);
if (!forks) throw new Error('the faults fixture has no forks cell');

async function leftRunning(): Promise<{ left: number; ms: number }> {
  const lab = await Lab.create(LOCAL);
  try {
    const r = await lab.shell.run(forks?.code ?? '', { timeoutMs: 120_000 });
    if (!r.output.includes('forked 10000')) throw new Error(`the cell did not fork them all: ${r.output.slice(-200)}`);
    const procs = labLeftovers(lab.name).filter((l) => l.startsWith('process '));
    return { left: new Set(procs).size, ms: r.durationMs };
  } finally {
    await lab.close();
  }
}

await sweepStaleLabs();
const idle = await leftRunning();
const hogs: ChildProcess[] = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
const busy = await leftRunning().finally(() => {
  for (const h of hogs) h.kill('SIGKILL');
});
console.error(`idle: ${JSON.stringify(idle)}, busy: ${JSON.stringify(busy)}`);
report({
  figure: 'sleeps still running in the lab when the fork cell ends, both cores busy',
  value: busy.left,
  anchor: 'same, idle machine',
  anchorValue: idle.left,
  unit: 'processes',
  target: 'the test asks for more than 100',
});
report({
  figure: 'the fork cell (10,000 sleep 5 &), both cores busy',
  value: busy.ms,
  anchor: 'same, idle machine',
  anchorValue: idle.ms,
  unit: 'ms',
  target: 'no target',
});
