/**
 * Cells recorded on another target than the rest of their chapter. The chapter's target (this
 * host) records every cell and skips those that need what it lacks (ipvlan, cgroup v2
 * controllers); `labbook record --only-skipped --target vm` then runs the chapter where they
 * can run and puts just those cells in, each stamped with where and when it ran and why the
 * chapter's target skipped it. Nothing else of the recording changes.
 */
import type { Cell } from './parse.ts';
import type { CellRecording, Recording } from './recording.ts';

/**
 * The cells another target may record: those the chapter's target skipped, or that were
 * already recorded elsewhere, from the code they have now.
 */
export function recordableElsewhere(cells: Cell[], recording: Recording): Cell[] {
  const recorded = new Map(recording.cells.map((c) => [c.id, c]));
  return cells.filter((cell) => {
    const r = recorded.get(cell.id);
    return r?.hash === cell.hash && (r.status === 'skipped' || !!r.environment);
  });
}

export interface Filled {
  recording: Recording;
  /** The cells put in, as recorded there. */
  filled: CellRecording[];
  /** Cells that could have been put in but were not, and why. */
  left: { id: string; why: string }[];
}

/** `recording` with the cells it skipped replaced by how they ran in `run`, on another target. */
export function fillFromElsewhere(cells: Cell[], recording: Recording, run: Recording): Filled {
  const wanted = new Set(recordableElsewhere(cells, recording).map((c) => c.id));
  const ran = new Map(run.cells.map((c) => [c.id, c]));
  const filled: CellRecording[] = [];
  const left: Filled['left'] = [];
  for (const r of recording.cells) {
    if (r.status === 'skipped' && !wanted.has(r.id) && cells.some((c) => c.id === r.id)) {
      left.push({ id: r.id, why: 'its code changed since the chapter was recorded: record the chapter here first' });
    }
  }
  const merged = recording.cells.map((r) => {
    const n = ran.get(r.id);
    if (!wanted.has(r.id)) return r;
    if (!n) {
      left.push({ id: r.id, why: 'not run there (it comes before --from)' });
      return r;
    }
    // A skip, a timeout or a lost session there proves nothing: the recording keeps what it had.
    if (n.status !== 'passed' && n.status !== 'failed') {
      left.push({ id: r.id, why: `${n.status} on ${run.environment.target}${n.reason ? `: ${n.reason}` : ''}` });
      return r;
    }
    const skippedHere = r.environment?.skippedHere ?? r.reason ?? 'skipped there';
    const cell: CellRecording = {
      ...n,
      environment: { ...run.environment, recordedAt: run.recordedAt, skippedHere },
    };
    filled.push(cell);
    return cell;
  });
  return { recording: { ...recording, cells: merged }, filled, left };
}

/**
 * A fresh recording of the chapter's target that keeps the cells recorded elsewhere which it
 * skipped again, from unchanged code: re-recording a chapter here must not throw away what
 * only another target could record.
 */
export function keepRecordedElsewhere(fresh: Recording, previous: Recording | undefined): Recording {
  const before = new Map(previous?.cells.map((c) => [c.id, c]));
  return {
    ...fresh,
    cells: fresh.cells.map((n) => {
      const b = before.get(n.id);
      if (!(b?.environment && b.hash === n.hash && n.status === 'skipped')) return n;
      // Why it is skipped here is what this run says.
      return { ...b, environment: { ...b.environment, skippedHere: n.reason ?? b.environment.skippedHere } };
    }),
  };
}
