/**
 * `labbook run <chapter> [--cell ID]`: run a chapter in a fresh lab, printing each cell as it runs.
 * A cell fails as in `labbook check` (compareCell, without a recording): a data cell that exits 0
 * but whose snapshot breaks its `expect=` is a failure here too. After each cell, what it changed
 * in the kernel, a line each.
 */
import { styleText } from 'node:util';
import { resolveChapter } from '../../src/cells/chapters.ts';
import { compareCell } from '../../src/cells/compare.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import { runChapter } from '../chapter-run.ts';
import { defineCommand, TARGET_OPTIONS } from './command.ts';
import { onTarget } from './on-target.ts';
import { statusLine } from './progress.ts';

export const run = defineCommand({
  usage: `run <chapter> [--cell ID]   run a chapter in a fresh lab, printing each cell as it runs
                              (--cell: run the cells up to and including ID)`,
  options: { ...TARGET_OPTIONS, cell: { type: 'string' } },
  takes: 'one',
  async run({ values, names }) {
    const { slug, file } = resolveChapter(names[0] as string);
    const chapter = loadChapter(file);
    return onTarget(values, async ({ target, timeoutScale }) => {
      let failed = 0;
      await runChapter(chapter, slug, {
        target,
        until: values.cell,
        timeoutScale,
        onCellStart(cell) {
          const where = ` [${cell.session}]${cell.hidden ? ' (hidden)' : ''}`;
          console.log(styleText('bold', `\n── ${cell.id}`) + styleText('dim', where));
          console.log(styleText('dim', cell.code.replace(/^/gm, '$ ')));
        },
        onOutput: (_cell, text) => process.stdout.write(text),
        onCellEnd(cell, r) {
          const { problems } = compareCell(cell, r);
          if (problems.length) failed++;
          console.log(`${r.output && !r.output.endsWith('\n') ? '\n' : ''}→ ${statusLine(r)}`);
          // What it changed in the kernel, as the page shows it under the cell.
          for (const line of r.change ?? []) console.log(styleText('dim', `  ${line}`));
          if (r.status === 'passed') for (const p of problems) console.log(styleText('red', `  but ${p.message}`));
        },
      });
      return failed ? 1 : 0;
    });
  },
});
