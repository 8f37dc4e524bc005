/**
 * `labbook check [chapter...] [--target T|vm|matrix]`: run chapters and compare each with its
 * recording on the target's entry of the matrix (another target: the entry with its cgroup
 * layout, said so). A recording made on another kernel, distribution or tool version than
 * the target has now is noticed, not failed.
 */
import { styleText } from 'node:util';
import { checkRun } from '../../src/cells/check-run.ts';
import type { Problem } from '../../src/cells/compare.ts';
import { type CheckedChapter, ciReport } from '../ci-report.ts';
import { chapterJobs, runPool } from './chapter-pool.ts';
import { defineCommand, JOBS_OPTION, TARGET_OPTIONS, wholeNumber } from './command.ts';
import { onTargets } from './on-target.ts';
import { type Tally, tally, tallyTable } from './progress.ts';

export const check = defineCommand({
  usage: `check [chapter...]          run chapters and compare with their recordings on the
                              target's entry of the matrix (--target matrix: every entry)
    --jobs N                  chapters run at once (default 2)
    --junit FILE              also write a JUnit XML report, a test case per cell
                              (under GitHub Actions, problems are also annotations on the cell's line)`,
  options: { ...TARGET_OPTIONS, ...JOBS_OPTION, junit: { type: 'string' } },
  takes: 'any',
  async run({ values, names }) {
    const jobs = chapterJobs(names);
    const checked: CheckedChapter[] = [];
    const status = await onTargets(values, async ({ target, spec, timeoutScale }) => {
      const options = { jobs: wholeNumber(values.jobs, '--jobs'), target, timeoutScale };
      const tallies: Tally[] = [];
      let where = '';
      const bad = await runPool(jobs, options, `match on ${spec}`, async ({ slug, file, chapter }, run) => {
        const { recording: fresh, elapsed } = await run();
        tallies.push(tally(slug, fresh));
        where = `${fresh.environment.distro}, Linux ${fresh.environment.kernel}`;
        const { entry, why, problems, drift } = checkRun(spec, file, chapter.cells, fresh);
        checked.push({ spec, slug, file, cells: chapter.cells, fresh, problems });
        const summary = problems.length
          ? `differs from its recording on ${entry.name}`
          : `matches its recording on ${entry.name}`;
        console.log(styleText(problems.length ? 'red' : 'green', `${slug}: ${summary} in ${elapsed}`));
        if (why) console.log(styleText('yellow', `  notice: ${why}`));
        for (const d of drift) console.log(styleText('yellow', `  notice: ${d}`));
        printProblems(problems);
        return problems.length > 0;
      });
      console.log(`\nthe cells on ${spec} (${where}):\n${tallyTable(tallies)}\n`);
      return bad ? 1 : 0;
    });
    ciReport(checked, values.junit);
    if (values.junit) console.log(`the JUnit report: ${values.junit}`);
    return status;
  },
});

export function printProblems(problems: Problem[]): void {
  for (const p of problems) {
    console.log(`  ${p.message}`);
    if (p.diff) console.log(p.diff.replace(/^/gm, '    '));
  }
}
