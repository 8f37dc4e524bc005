/**
 * Accepting a fresh run into a recording one cell at a time, as cram's `-i` and dune's
 * `promote` do: the cells accepted take their fresh run, every other cell keeps its recorded
 * one as it was (serialised again byte for byte), and so does the recording's stamp (where and
 * when the chapter was last recorded as a whole).
 *
 *   recorded: same, changed (old output); fresh: same, changed (new output)
 *   acceptable(cells, problems) -> ['changed'];  acceptCells(cells, recorded, fresh, ['changed'])
 *   -> recorded with the fresh run of "changed" only, in the chapter's order of cells
 */
import type { Problem } from './compare.ts';
import type { Cell } from './parse.ts';
import type { Recording } from './recording.ts';

/** The cells a check found changed (status, output, code, or never recorded): what `--accept` with no cell names takes. */
export function acceptable(problems: Problem[]): string[] {
  const kinds = new Set<Problem['kind']>(['missing', 'stale', 'status', 'output']);
  return [...new Set(problems.flatMap((p) => (p.cell && kinds.has(p.kind) ? [p.cell] : [])))];
}

/**
 * The recording with the fresh run of the cells `accept` names, in the chapter's order; a
 * recorded cell the chapter no longer has is dropped. Without a recording, the fresh run is it.
 */
export function acceptCells(
  cells: Cell[],
  recorded: Recording | undefined,
  fresh: Recording,
  accept: Iterable<string>,
): Recording {
  if (!recorded) return fresh;
  const taken = new Set(accept);
  const before = new Map(recorded.cells.map((c) => [c.id, c]));
  const now = new Map(fresh.cells.map((c) => [c.id, c]));
  return {
    ...recorded,
    cells: cells.flatMap((cell) => {
      const c = taken.has(cell.id) ? now.get(cell.id) : before.get(cell.id);
      return c ? [c] : [];
    }),
  };
}
