/**
 * The whole tutorial end to end: every chapter in its own lab, two at a time (this machine
 * has 2 cores), as `labbook check` and `npm test` run them. Target: under 60 s in total.
 */

import { runChapter } from '../runner/chapter-run.ts';
import { LOCAL } from '../runner/target.ts';
import { listChapters } from '../src/cells/chapters.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { report } from './figure.ts';

const chapters = listChapters()
  .map((c) => ({ ...c, chapter: loadChapter(c.file) }))
  .filter((c) => c.chapter.cells.length);
const times = new Map<string, number>();
const queue = [...chapters];
const started = performance.now();
await Promise.all(
  [0, 1].map(async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const t = performance.now();
      await runChapter(c.chapter, c.slug, { target: LOCAL });
      times.set(c.slug, performance.now() - t);
    }
  }),
);
const total = performance.now() - started;
const serial = [...times.values()].reduce((a, b) => a + b, 0);
for (const [slug, ms] of times) {
  report({
    figure: `chapter ${slug}`,
    value: ms / 1000,
    anchor: 'whole tutorial',
    anchorValue: total / 1000,
    unit: 's',
    target: '',
  });
}
report({
  figure: 'whole tutorial, 2 chapters at a time',
  value: total / 1000,
  anchor: 'sum of chapter times',
  anchorValue: serial / 1000,
  unit: 's',
  target: 'value < 60 s',
});
