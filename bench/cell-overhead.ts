/**
 * 200 cells of the builtin `true` in one lab session, against 200 `bash -c true` spawns.
 * Target: the session at least 20x faster in total, and its median per-cell overhead under 1 ms.
 */
import { spawnSync } from 'node:child_process';
import { Lab } from '../runner/lab.ts';
import { LOCAL } from '../runner/target.ts';
import { median, report } from './figure.ts';

const N = 200;
const lab = await Lab.create(LOCAL);
try {
  const cells: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await lab.shell.run('true', { timeoutMs: 5000 });
    cells.push(performance.now() - t);
  }
  const spawns: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    spawnSync('bash', ['-c', 'true']);
    spawns.push(performance.now() - t);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  report({
    figure: `${N} cells of true, total`,
    value: sum(cells),
    anchor: `${N} bash -c true`,
    anchorValue: sum(spawns),
    unit: 'ms',
    target: 'ratio <= 0.05 (20x faster)',
  });
  report({
    figure: 'median cell overhead',
    value: median(cells),
    anchor: 'median bash -c true',
    anchorValue: median(spawns),
    unit: 'ms',
    target: 'value < 1 ms',
  });
} finally {
  await lab.close();
}
