/**
 * What record and check share: the chapters named (all by default), parsed before any lab
 * is made, run a few at a time on one target, with a progress line per cell.
 */
import { listChapters, resolveChapter } from '../../src/cells/chapters.ts';
import { type Chapter, loadChapter } from '../../src/cells/parse.ts';
import type { Recording } from '../../src/cells/recording.ts';
import { runChapter } from '../chapter-run.ts';
import type { Target } from '../target.ts';
import { UsageError } from './command.ts';
import { bar, elapsedSince, statusLine } from './progress.ts';

export interface ChapterJob {
  slug: string;
  file: string;
  chapter: Chapter;
}

/**
 * The chapters named, or all of them; an authoring mistake fails here, before any lab.
 * Pages without cells (the landing page) have nothing to run unless named.
 */
export function chapterJobs(names: string[]): ChapterJob[] {
  const found = names.length ? names.map(resolveChapter) : listChapters();
  if (!found.length) throw new UsageError('there are no chapters in src/content/docs yet');
  return found
    .map((c) => ({ ...c, chapter: loadChapter(c.file) }))
    .filter((c) => names.length || c.chapter.cells.length);
}

export interface PoolOptions {
  jobs: number;
  target: Target;
  timeoutScale: number;
}

/** Runs the chapter's cells (all, or from one cell to another), printing a line per cell. */
export type RunJob = (span?: { from?: string; until?: string }) => Promise<{ recording: Recording; elapsed: string }>;

/**
 * Runs `work` for every job, `jobs` at a time; work says whether its chapter went wrong.
 * Prints "N of M chapters VERB in S s" and returns how many went wrong.
 */
export async function runPool(
  jobs: ChapterJob[],
  options: PoolOptions,
  verb: string,
  work: (job: ChapterJob, run: RunJob) => Promise<boolean>,
): Promise<number> {
  const width = Math.max(...jobs.map((c) => c.slug.length));
  const started = performance.now();
  let bad = 0;
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const { slug, chapter } = job;
      const run: RunJob = async (span = {}) => {
        const t0 = performance.now();
        const first = span.from ? chapter.cells.findIndex((c) => c.id === span.from) : 0;
        const last = span.until ? chapter.cells.findIndex((c) => c.id === span.until) : chapter.cells.length - 1;
        const total = last + 1 - first;
        let done = 0;
        const recording = await runChapter(chapter, slug, {
          ...span,
          target: options.target,
          timeoutScale: options.timeoutScale,
          onCellEnd(cell, r) {
            done++;
            console.log(`${slug.padEnd(width)} ${bar(done, total)} ${cell.id} ${statusLine(r)}`);
          },
        });
        return { recording, elapsed: elapsedSince(t0) };
      };
      if (await work(job, run)) bad++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, jobs.length) }, worker));
  console.log(`${jobs.length - bad} of ${jobs.length} chapters ${verb} in ${elapsedSince(started)}`);
  return bad;
}
