/**
 * `labbook check [chapter...] [--target T|vm|matrix]`: run chapters and compare each with its
 * recording on the target's entry of the matrix (another target: the entry with its cgroup
 * layout, said so). A recording made on another kernel, distribution or tool version than
 * the target has now is noticed, not failed. A run that differs is left beside the recording
 * (`<chapter>.fresh.json`, git-ignored) for any diff tool; `--accept` writes into the recording
 * only the cells that changed, or those named (src/cells/accept.ts).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { styleText } from 'node:util';
import { acceptable, acceptCells } from '../../src/cells/accept.ts';
import { listChapters, recordingPath, resolveChapter } from '../../src/cells/chapters.ts';
import { checkRun } from '../../src/cells/check-run.ts';
import type { Problem } from '../../src/cells/compare.ts';
import { NoSuchChapter } from '../../src/cells/errors.ts';
import { matrixEntry } from '../../src/cells/matrix.ts';
import { type Cell, loadChapter } from '../../src/cells/parse.ts';
import { type Recording, serializeRecording } from '../../src/cells/recording.ts';
import { type CheckedChapter, ciReport } from '../ci-report.ts';
import { expandTargets } from '../target-parse.ts';
import { chapterJobs, runPool } from './chapter-pool.ts';
import { defineCommand, JOBS_OPTION, TARGET_OPTIONS, UsageError, wholeNumber } from './command.ts';
import { onTargets } from './on-target.ts';
import { type Tally, tally, tallyTable } from './progress.ts';

export const check = defineCommand({
  usage: `check [chapter...]          run chapters and compare with their recordings on the
                              target's entry of the matrix (--target matrix: every entry)
    --jobs N                  chapters run at once (default 2)
    --junit FILE              also write a JUnit XML report, a test case per cell
                              (under GitHub Actions, problems are also annotations on the cell's line)
    --accept [CELL...]        write into the recording the cells whose run changed (or only
                              the cells named: their chapters run), keeping every other cell`,
  options: { ...TARGET_OPTIONS, ...JOBS_OPTION, junit: { type: 'string' }, accept: { type: 'boolean' } },
  takes: 'any',
  async run({ values, names }) {
    const accepting = values.accept === true;
    const { chapters, cells } = accepting ? chaptersAndCells(names) : { chapters: names, cells: [] };
    if (accepting) {
      for (const spec of expandTargets(values.target)) {
        if (!matrixEntry(spec ?? 'local'))
          throw new UsageError(`--accept writes the matrix's recordings: --target ${spec} is not an entry of it`);
      }
    }
    const jobs = chapterJobs(chapters);
    const checked: CheckedChapter[] = [];
    const status = await onTargets(values, async ({ target, spec, timeoutScale }) => {
      const options = { jobs: wholeNumber(values.jobs, '--jobs'), target, timeoutScale };
      const tallies: Tally[] = [];
      let where = '';
      const bad = await runPool(jobs, options, `match on ${spec}`, async ({ slug, file, chapter }, run) => {
        const { recording: fresh, elapsed } = await run();
        tallies.push(tally(slug, fresh));
        where = `${fresh.environment.distro}, Linux ${fresh.environment.kernel}`;
        const { entry, why, recording, problems, drift } = checkRun(spec, file, chapter.cells, fresh);
        checked.push({ spec, slug, file, cells: chapter.cells, fresh, problems });
        const summary = problems.length
          ? `differs from its recording on ${entry.name}`
          : `matches its recording on ${entry.name}`;
        console.log(styleText(problems.length ? 'red' : 'green', `${slug}: ${summary} in ${elapsed}`));
        if (why) console.log(styleText('yellow', `  notice: ${why}`));
        for (const d of drift) console.log(styleText('yellow', `  notice: ${d}`));
        printProblems(problems);
        const path = recordingPath(file, entry);
        const taken = accepting ? accepted(cells, chapter.cells, problems, fresh) : [];
        if (taken.length) {
          writeFileSync(path, serializeRecording(acceptCells(chapter.cells, recording, fresh, taken)));
          console.log(styleText('green', `  accepted into ${path}: ${taken.join(', ')}`));
        }
        const left = problems.filter((p) => !p.cell || !taken.includes(p.cell));
        const freshPath = path.replace(/\.json$/, '.fresh.json');
        if (left.length) {
          writeFileSync(freshPath, serializeRecording(fresh));
          console.log(`  this run: ${freshPath} (diff it with ${path})`);
        } else if (existsSync(freshPath)) rmSync(freshPath);
        return left.length > 0;
      });
      console.log(`\nthe cells on ${spec} (${where}):\n${tallyTable(tallies)}\n`);
      return bad ? 1 : 0;
    });
    ciReport(checked, values.junit);
    if (values.junit) console.log(`the JUnit report: ${values.junit}`);
    return status;
  },
});

/**
 * The cells --accept takes in a chapter: those named (none if only other chapters' cells
 * are), or, when no cell is named, those whose run changed; never one that did not pass.
 */
function accepted(named: string[], cells: Cell[], problems: Problem[], fresh: Recording): string[] {
  const ids = new Set(cells.map((c) => c.id));
  const wanted = named.length ? named.filter((id) => ids.has(id)) : acceptable(problems);
  return wanted.filter((id) => {
    const status = fresh.cells.find((c) => c.id === id)?.status;
    const ok = status === 'passed' || status === 'skipped';
    if (!ok) console.log(styleText('red', `  not accepted: "${id}" did not pass in this run`));
    return ok;
  });
}

/**
 * With --accept, a name is a chapter or a cell of one: a cell is looked for in the chapters
 * named, or in all of them when none is; the chapters to run are those named, else those that
 * hold a cell named (all chapters when nothing is named).
 */
function chaptersAndCells(names: string[]): { chapters: string[]; cells: string[] } {
  const chapters: string[] = [];
  const cells: string[] = [];
  for (const name of names) {
    try {
      const { file } = resolveChapter(name);
      if (!chapters.includes(file)) chapters.push(file);
    } catch (e) {
      if (!(e instanceof NoSuchChapter)) throw e;
      cells.push(name);
    }
  }
  const pool = chapters.length ? chapters : listChapters().map((c) => c.file);
  const holding = new Set<string>();
  for (const id of cells) {
    const found = pool.filter((file) => loadChapter(file).cells.some((cell) => cell.id === id));
    if (!found.length) {
      const where = chapters.length ? 'none of the chapters named has' : 'no chapter has';
      throw new UsageError(`--accept ${id}: no chapter is called so, and ${where} a cell of that id`);
    }
    for (const file of found) holding.add(file);
  }
  return { chapters: chapters.length ? chapters : [...holding], cells };
}

export function printProblems(problems: Problem[]): void {
  for (const p of problems) {
    console.log(`  ${p.message}`);
    if (p.diff) console.log(p.diff.replace(/^/gm, '    '));
  }
}
