/**
 * `labbook record [chapter...]`: run chapters and write their recordings.
 * `labbook record CH --only-skipped --target T [--from ID]`: run them on T and put in their
 * recordings only the cells those recordings have as skipped (or recorded elsewhere).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { styleText } from 'node:util';
import { compareRun } from '../../src/cells/compare.ts';
import { fillFromElsewhere, keepRecordedElsewhere, recordableElsewhere } from '../../src/cells/elsewhere.ts';
import { readRecording, serializeRecording } from '../../src/cells/recording.ts';
import type { Target } from '../target.ts';
import { type ChapterJob, chapterJobs, type RunJob, runPool } from './chapter-pool.ts';
import { printProblems } from './check.ts';
import { defineCommand, JOBS_OPTION, TARGET_OPTIONS, timeoutScale, UsageError, wholeNumber } from './command.ts';
import { onTarget } from './on-target.ts';

export const record = defineCommand({
  usage: `record [chapter...]         run chapters and write their recordings (all by default)
    --jobs N                  chapters run at once (default 2)
    --only-skipped            run them on --target, but put in their recordings only the cells
                              those recordings have as skipped (or as recorded elsewhere), each
                              stamped with where it ran; nothing else of them changes
    --from ID                 with --only-skipped: start at cell ID, when the cells before it
                              are not needed and cannot run on that target`,
  options: {
    ...TARGET_OPTIONS,
    ...JOBS_OPTION,
    'only-skipped': { type: 'boolean', default: false },
    from: { type: 'string' },
  },
  takes: 'any',
  async run({ values, names }) {
    // A recording of part of a chapter would lose the rest: only cells put in one by one may start later.
    if (values.from && !values['only-skipped']) throw new UsageError('--from goes with --only-skipped');
    const jobs = chapterJobs(names);
    const options = { jobs: wholeNumber(values.jobs, '--jobs'), timeoutScale: timeoutScale(values['timeout-scale']) };
    return onTarget(values, async (target) => {
      const work = values['only-skipped']
        ? (job: ChapterJob, run: RunJob) => fillSkipped(job, run, target, values.from)
        : recordWhole;
      const bad = await runPool(jobs, { ...options, target }, 'recorded cleanly', work);
      return bad ? 1 : 0;
    });
  },
});

/** Records the whole chapter; cells skipped here keep what another target recorded for them. */
async function recordWhole({ slug, chapter, path }: ChapterJob, run: RunJob): Promise<boolean> {
  const { recording, elapsed } = await run();
  const kept = keepRecordedElsewhere(recording, readRecording(path));
  const problems = compareRun(chapter.cells, recording, kept);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, serializeRecording(kept));
  console.log(styleText(problems.length ? 'red' : 'green', `${slug}: recorded to ${path} in ${elapsed}`));
  for (const r of kept.cells) {
    if (r.environment)
      console.log(`  ${r.id}: skipped here, kept as recorded on ${r.environment.target} (${r.status})`);
  }
  printProblems(problems);
  return problems.length > 0;
}

/** Runs the chapter up to its last skipped cell and writes in the skipped cells only. */
async function fillSkipped(
  { slug, chapter, path }: ChapterJob,
  run: RunJob,
  target: Target,
  from: string | undefined,
): Promise<boolean> {
  const previous = readRecording(path);
  if (!previous) {
    console.log(styleText('red', `${slug}: no recording yet: record it on the chapter's own target first`));
    return true;
  }
  const wanted = recordableElsewhere(chapter.cells, previous);
  if (!wanted.length) {
    console.log(`${slug}: no skipped cell to record on ${target.name}`);
    return false;
  }
  // The cells before the last wanted one make its state; those after it are not needed.
  const { recording: fresh, elapsed } = await run({ from, until: wanted.at(-1)?.id });
  const { recording, filled, left } = fillFromElsewhere(chapter.cells, previous, fresh);
  if (filled.length) writeFileSync(path, serializeRecording(recording));
  const failed = filled.filter((c) => c.status !== 'passed');
  const ok = !failed.length && !left.length;
  const env = fresh.environment;
  const where = `${env.target} (${env.distro}, Linux ${env.kernel})`;
  console.log(
    styleText(ok ? 'green' : 'red', `${slug}: ${filled.length} cells recorded on ${where} into ${path} in ${elapsed}`),
  );
  for (const c of filled) console.log(`  ${c.id}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`);
  for (const l of left) console.log(`  ${l.id}: not recorded there: ${l.why}`);
  return !ok;
}
