/**
 * A fresh run of a chapter checked against its recording on the matrix, as `labbook check`
 * and the test suite do it: the recording of the target's own entry, or of the entry with its
 * cgroup layout (matrix.ts, entryToCompare), each entry's recording read once.
 *
 *   checkRun('vm:debian13', 'src/content/docs/namespace.md', cells, fresh)
 *   -> { entry: vm:debian13, recording, problems: [], drift: ['recorded on Linux 6.12.117…, this target has …'] }
 */
import { recordingPath } from './chapters.ts';
import { compareRun, type Problem } from './compare.ts';
import { type Comparison, entryToCompare, MATRIX } from './matrix.ts';
import type { Cell } from './parse.ts';
import { drift, type Recording, readRecording } from './recording.ts';

export interface CheckedRun extends Comparison {
  /** The recording compared with; undefined: that entry has none. */
  recording: Recording | undefined;
  problems: Problem[];
  /** How the target now differs from where the recording was made (notices, not problems). */
  drift: string[];
}

export function checkRun(target: string, file: string, cells: Cell[], fresh: Recording): CheckedRun {
  const recordings = new Map(MATRIX.map((e) => [e, readRecording(recordingPath(file, e))]));
  const comparison = entryToCompare(target, fresh.environment.cgroup, (e) => recordings.get(e)?.environment.cgroup);
  const recording = recordings.get(comparison.entry);
  return {
    ...comparison,
    recording,
    problems: compareRun(cells, fresh, recording),
    drift: recording ? drift(recording.environment, fresh.environment) : [],
  };
}
