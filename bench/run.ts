/**
 * `npm run bench`: runs every script under bench/ (or those named) and prints one table of
 * figures, each with its anchor measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Figure } from './figure.ts';

const here = new URL('.', import.meta.url).pathname;
const scripts = readdirSync(here).filter(
  (f) =>
    f.endsWith('.ts') &&
    // The others are modules the benches share.
    !['run.ts', 'figure.ts', 'pages.ts', 'crowd.ts'].includes(f) &&
    (process.argv.length < 3 || process.argv.slice(2).some((a) => f.startsWith(a))),
);
const rows: (Figure & { script: string })[] = [];
let failed = 0;
for (const script of scripts) {
  console.error(`running bench/${script} ...`);
  const r = spawnSync(process.execPath, [`${here}${script}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench/${script} failed with status ${r.status}`);
  }
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('{'))) rows.push({ script, ...JSON.parse(line) });
}
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(2));
const table = [
  ['bench', 'figure', 'value', 'anchor', 'anchor value', 'ratio', 'target'],
  ...rows.map((r) => [
    r.script.replace(/\.ts$/, ''),
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.anchor,
    `${fmt(r.anchorValue)} ${r.unit}`,
    fmt(r.ratio),
    r.target,
  ]),
];
const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
for (const [i, row] of table.entries()) {
  console.log(`| ${row.map((c, j) => c.padEnd(widths[j] ?? 0)).join(' | ')} |`);
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
process.exitCode = failed ? 1 : 0;
