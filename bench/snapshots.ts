/**
 * What recording what each cell changed in the kernel costs (src/cells/lab-state.ts): one
 * snapshot after each cell that runs, one script call each. Measured in one run, interleaved:
 * the whole tutorial with snapshots against without (2 chapters at a time, as `labbook check`
 * runs them), and one snapshot against the tutorial's median cell. Target: at most 1.2 times
 * the tutorial's time without snapshots.
 *
 *   node bench/snapshots.ts [ENTRY [ROUNDS]]   ENTRY: an entry of the matrix (default local),
 *                                             a VM of it started for the bench if it is down
 */
import { runChapter } from '../runner/chapter-run.ts';
import { scaleFor } from '../runner/commands/on-target.ts';
import { Lab } from '../runner/lab.ts';
import { parseTarget } from '../runner/target-parse.ts';
import { vmDown, vmUp } from '../runner/vm/vm.ts';
import { listChapters } from '../src/cells/chapters.ts';
import { matrixEntry } from '../src/cells/matrix.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { median, report } from './figure.ts';

const entry = process.argv[2] ?? 'local';
const ROUNDS = Number(process.argv[3] ?? 2);
const image = matrixEntry(entry)?.vm;
const started = image ? await vmUp(image, (text) => console.error(`  ${text}`)) : false;
const target = parseTarget(entry);
const timeoutScale = scaleFor(entry, undefined);
const chapters = listChapters()
  .map((c) => ({ ...c, chapter: loadChapter(c.file) }))
  .filter((c) => c.chapter.cells.length);

/** The whole tutorial, 2 chapters at a time: its time, and the duration of every cell that ran. */
async function tutorial(snapshots: boolean): Promise<{ ms: number; cells: number[]; snapshots: number }> {
  const queue = [...chapters];
  const cells: number[] = [];
  let taken = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await runChapter(c.chapter, c.slug, { target, snapshots, timeoutScale });
        for (const cell of r.cells) if (cell.status !== 'skipped') cells.push(cell.durationMs);
        taken += r.cells.filter((cell) => cell.change).length + (snapshots ? 1 : 0);
      }
    }),
  );
  return { ms: performance.now() - started, cells, snapshots: taken };
}

const without: number[] = [];
const withSnapshots: number[] = [];
let cells: number[] = [];
let taken = 0;
for (let round = 0; round < ROUNDS; round++) {
  without.push((await tutorial(false)).ms);
  const on = await tutorial(true);
  withSnapshots.push(on.ms);
  cells = on.cells;
  taken = on.snapshots;
}

// One snapshot on its own, in a fresh lab, and in one that holds a few namespaces, links and mounts.
const lab = await Lab.create(target);
const single: number[] = [];
const busy: number[] = [];
try {
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await lab.state();
    single.push(performance.now() - t);
  }
  await lab.shell.run(
    'for i in 1 2 3 4; do ip netns add n$i; ip link add v$i type veth peer name p$i netns n$i; mkdir -p /tmp/m$i; mount -t tmpfs t /tmp/m$i; done',
    { timeoutMs: 10_000 },
  );
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await lab.state();
    busy.push(performance.now() - t);
  }
} finally {
  await lab.close();
  await target.close();
  if (image && started) await vmDown(image, (text) => console.error(`  ${text}`));
}

report({
  figure: `whole tutorial on ${entry} with snapshots (${taken} taken), median of ${ROUNDS}`,
  value: median(withSnapshots) / 1000,
  anchor: 'the same without snapshots',
  anchorValue: median(without) / 1000,
  unit: 's',
  target: 'ratio ≤ 1.2',
});
report({
  figure: `one snapshot on ${entry}, in a fresh lab (median of 20)`,
  value: median(single),
  anchor: `median cell of the tutorial (${cells.length} that ran)`,
  anchorValue: median(cells),
  unit: 'ms',
  target: '',
});
report({
  figure: 'one snapshot, with 4 more network namespaces, links and mounts',
  value: median(busy),
  anchor: 'one snapshot, in a fresh lab',
  anchorValue: median(single),
  unit: 'ms',
  target: '',
});
