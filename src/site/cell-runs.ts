/**
 * A chapter's recordings on the matrix (src/cells/matrix.ts), and which recorded run of a
 * cell its figure shows: the *main* one, from the first entry in the matrix's order that ran
 * the cell's current code without skipping it; failing that, the first that ran its current
 * code; failing that, the first entry's, stale or missing, as the page marks it. A cell that
 * this host skips (it lacks ipvlan) thus shows the output of a kernel that has what it needs.
 *
 *   ipvlan-l2: local skipped, vm:debian12 passed, vm:debian13 passed
 *   -> { main: vm:debian12's run, others: [local's, vm:debian13's] }
 */
import type { MatrixEntry } from '../cells/matrix.ts';
import type { Cell } from '../cells/parse.ts';
import { type CellRecording, type Recording, readRecording } from '../cells/recording.ts';
import type { EntryFile, Page } from './page.ts';

/** A chapter's recording on one entry; none when that entry has not recorded it yet. */
export interface EntryRecording extends EntryFile {
  recording: Recording | undefined;
}

/** One cell as one entry recorded it. */
export interface EntryRun extends EntryRecording {
  /** The cell in that recording, from whatever code it had then. */
  rec: CellRecording | undefined;
  /** Recorded from the cell's current code. */
  current: boolean;
}

/** The page's recordings, in the matrix's order. */
export const readRecordings = (page: Page): EntryRecording[] =>
  page.recordings.map((r) => ({ ...r, recording: readRecording(r.file) }));

/** The cell as each entry recorded it, in the matrix's order. */
export const entryRuns = (cell: Pick<Cell, 'id' | 'hash'>, recordings: EntryRecording[]): EntryRun[] =>
  recordings.map((r) => {
    const rec = r.recording?.cells.find((c) => c.id === cell.id);
    return { ...r, rec, current: rec?.hash === cell.hash };
  });

export function cellRuns(
  cell: Pick<Cell, 'id' | 'hash'>,
  recordings: EntryRecording[],
): { main: EntryRun; others: EntryRun[] } {
  const runs = entryRuns(cell, recordings);
  const main = (runs.find((r) => r.current && r.rec?.status !== 'skipped') ??
    runs.find((r) => r.current) ??
    runs[0]) as EntryRun;
  return { main, others: runs.filter((r) => r !== main) };
}

/**
 * An entry as a cell's line names it: its name and, once it has a recording, the kernel's
 * version to the minor number (the chapter's table has the full one).
 *
 *   vm:debian12 with kernel 6.1.0-28-amd64  ->  'vm:debian12 · Linux 6.1'
 */
export function entryLabel({ entry, recording }: { entry: MatrixEntry; recording: Recording | undefined }): string {
  const version = recording?.environment.kernel.match(/^\d+\.\d+/)?.[0];
  return version ? `${entry.name} · Linux ${version}` : entry.name;
}
