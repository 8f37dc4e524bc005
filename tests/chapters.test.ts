/**
 * The chapters are the test suite: each runs in its own lab on this kernel, every cell must
 * pass or be skipped with its reason, and the run must match the committed recording.
 */
import { describe, expect, it } from 'vitest';
import { runChapter } from '../runner/chapter-run.ts';
import { LOCAL } from '../runner/target.ts';
import { listChapters, recordingPath, translationsOf } from '../src/cells/chapters.ts';
import { compareRun } from '../src/cells/compare.ts';
import { loadChapter } from '../src/cells/parse.ts';
import { readRecording } from '../src/cells/recording.ts';
import { translationErrors } from '../src/cells/translations.ts';

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
    const problems = compareRun(chapter.cells, fresh, readRecording(recordingPath(file)));
    expect(problems.map((p) => (p.diff ? `${p.message}\n${p.diff}` : p.message)).join('\n')).toBe('');
  });
});
