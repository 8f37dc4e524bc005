/** What the chapter tests share: a fresh run compared with its entry's recording, as `labbook check` does. */
import { recordingPath } from '../../src/cells/chapters.ts';
import { compareRun } from '../../src/cells/compare.ts';
import { entryToCompare } from '../../src/cells/matrix.ts';
import type { Chapter } from '../../src/cells/parse.ts';
import { type Recording, readRecording } from '../../src/cells/recording.ts';

/** The problems of `fresh` against the recording of `target`'s entry, one text ('' when none). */
export function problemsOnEntry(target: string, file: string, chapter: Chapter, fresh: Recording): string {
  const layout = (e: Parameters<typeof recordingPath>[1]) => readRecording(recordingPath(file, e))?.environment.cgroup;
  const { entry } = entryToCompare(target, fresh.environment.cgroup, layout);
  return compareRun(chapter.cells, fresh, readRecording(recordingPath(file, entry)))
    .map((p) => (p.diff ? `${p.message}\n${p.diff}` : p.message))
    .join('\n');
}
