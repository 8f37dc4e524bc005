/** `labbook check [chapter...]`: run chapters and compare each with its recording. */
import { styleText } from 'node:util';
import { compareRun, type Problem } from '../../src/cells/compare.ts';
import { readRecording } from '../../src/cells/recording.ts';
import { chapterJobs, runPool } from './chapter-pool.ts';
import { defineCommand, JOBS_OPTION, TARGET_OPTIONS, timeoutScale, wholeNumber } from './command.ts';
import { onTarget } from './on-target.ts';

export const check = defineCommand({
  usage: `check [chapter...]          run chapters and compare with their recordings
    --jobs N                  chapters run at once (default 2)`,
  options: { ...TARGET_OPTIONS, ...JOBS_OPTION },
  takes: 'any',
  async run({ values, names }) {
    const jobs = chapterJobs(names);
    const options = { jobs: wholeNumber(values.jobs, '--jobs'), timeoutScale: timeoutScale(values['timeout-scale']) };
    return onTarget(values, async (target) => {
      const bad = await runPool(jobs, { ...options, target }, 'match', async ({ slug, chapter, path }, run) => {
        const { recording, elapsed } = await run();
        const problems = compareRun(chapter.cells, recording, readRecording(path));
        const summary = problems.length ? 'differs from its recording' : 'matches its recording';
        console.log(styleText(problems.length ? 'red' : 'green', `${slug}: ${summary} in ${elapsed}`));
        printProblems(problems);
        return problems.length > 0;
      });
      return bad ? 1 : 0;
    });
  },
});

export function printProblems(problems: Problem[]): void {
  for (const p of problems) {
    console.log(`  ${p.message}`);
    if (p.diff) console.log(p.diff.replace(/^/gm, '    '));
  }
}
