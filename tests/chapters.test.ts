/**
 * The chapters are the test suite: each runs in its own lab on this kernel, every cell must
 * pass or be skipped with its reason, and the run must match the recording of this host's
 * entry of the matrix (src/cells/matrix.ts: `local`, or, on a machine whose cgroup layout is
 * not the one recorded there, the entry that has it). The VMs of the matrix: tests/matrix/.
 */
import { describe, expect, it } from 'vitest';
import { runChapter } from '../runner/chapter-run.ts';
import { ciReport, junitFile } from '../runner/ci-report.ts';
import { LOCAL } from '../runner/target.ts';
import { listChapters, translationsOf } from '../src/cells/chapters.ts';
import { checkRun } from '../src/cells/check-run.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { translationErrors } from '../src/cells/translations.ts';
import { problemText } from './problem-text.ts';

const chapters = listChapters()
  .map((c) => ({ ...c, chapter: loadChapter(c.file) }))
  .filter((c) => c.chapter.cells.length > 0);

it('the tutorial has chapters with cells', () => {
  expect(chapters.map((c) => c.slug)).not.toEqual([]);
});

describe.concurrent.each(chapters)('chapter $slug', ({ slug, file, chapter }) => {
  it('has the same cells in every language', () => {
    const translations = translationsOf(slug);
    expect(translations.map((t) => t.locale)).toEqual(['zh-cn']);
    for (const t of translations) {
      expect(translationErrors(chapter, loadChapter(t.file)).map((e) => e.message)).toEqual([]);
    }
  });

  it('runs on this kernel and matches its recording', { timeout: 120_000 }, async () => {
    const fresh = await runChapter(chapter, slug, { target: LOCAL });
    const { problems } = checkRun('local', file, chapter.cells, fresh);
    ciReport([{ spec: 'local', slug, file, cells: chapter.cells, fresh, problems }], junitFile('local', slug));
    expect(problemText(problems)).toBe('');
  });
});
