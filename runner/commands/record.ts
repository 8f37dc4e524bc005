/**
 * `labbook record [chapter...] [--target ENTRY|vm|matrix]`: run chapters on entries of the
 * matrix and write each entry's recordings (src/content/recordings/<entry>/<chapter>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { styleText } from 'node:util';
import { recordingPath } from '../../src/cells/chapters.ts';
import { compareRun } from '../../src/cells/compare.ts';
import { MATRIX, matrixEntry } from '../../src/cells/matrix.ts';
import { readRecording, serializeRecording } from '../../src/cells/recording.ts';
import { expandTargets } from '../target-parse.ts';
import { chapterJobs, runPool } from './chapter-pool.ts';
import { printProblems } from './check.ts';
import { defineCommand, JOBS_OPTION, TARGET_OPTIONS, UsageError, wholeNumber } from './command.ts';
import { onTargets } from './on-target.ts';

export const record = defineCommand({
  usage: `record [chapter...]         run chapters and write their recordings (all by default) on
                              --target's entry of the matrix (local by default; matrix: all)
    --jobs N                  chapters run at once (default 2)`,
  options: { ...TARGET_OPTIONS, ...JOBS_OPTION },
  takes: 'any',
  async run({ values, names }) {
    const jobs = chapterJobs(names);
    for (const spec of expandTargets(values.target)) {
      if (!matrixEntry(spec ?? 'local')) {
        const entries = MATRIX.map((e) => e.name).join(', ');
        throw new UsageError(
          `record writes the matrix's recordings: --target ${spec} is not one of ${entries}, vm or matrix`,
        );
      }
    }
    return onTargets(values, async ({ target, spec, timeoutScale }) => {
      const entry = matrixEntry(spec);
      if (!entry) return 2;
      const options = { jobs: wholeNumber(values.jobs, '--jobs'), target, timeoutScale };
      const bad = await runPool(jobs, options, `recorded cleanly on ${spec}`, async ({ slug, file, chapter }, run) => {
        const { recording, elapsed } = await run();
        const path = recordingPath(file, entry);
        // A cell that did not pass fails the recording; what changed since the last one is news.
        const failed = compareRun(chapter.cells, recording, recording);
        const previous = readRecording(path);
        const changed = previous
          ? compareRun(chapter.cells, recording, previous).filter((p) => p.kind !== 'failed')
          : [];
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, serializeRecording(recording));
        console.log(
          styleText(failed.length ? 'red' : 'green', `${slug}: recorded on ${spec} to ${path} in ${elapsed}`),
        );
        printProblems(failed);
        if (changed.length) console.log(styleText('yellow', '  changed since the last recording:'));
        printProblems(changed);
        return failed.length > 0;
      });
      return bad ? 1 : 0;
    });
  },
});
