/**
 * Compares a chapter with its recording (is every cell recorded from its current code?) and
 * a fresh run with the recording (same statuses, same normalised output). The site marks
 * what `freshness` finds; `labbook check` and `npm test` fail on any problem.
 */
import { createTwoFilesPatch } from 'diff';
import { normalize } from './normalize.ts';
import type { Cell } from './parse.ts';
import type { CellRecording, Recording } from './recording.ts';
import { readStructure, type Structure, structureMermaid, unmetExpectations } from './structure/index.ts';

export interface Problem {
  cell?: string;
  kind: 'missing' | 'stale' | 'extra' | 'failed' | 'status' | 'output';
  message: string;
  diff?: string;
}

/** Problems that need no run: a cell never recorded, or recorded from other code. */
export function freshness(cells: Cell[], recording: Recording | undefined): Problem[] {
  // A page without cells (the home page, a glossary) has nothing to record.
  if (!recording) return cells.length ? [{ kind: 'missing', message: 'the chapter has no recording' }] : [];
  const recorded = new Map(recording.cells.map((c) => [c.id, c]));
  const problems: Problem[] = [];
  for (const cell of cells) {
    const r = recorded.get(cell.id);
    if (!r) problems.push({ cell: cell.id, kind: 'missing', message: `the cell "${cell.id}" has no recording` });
    else if (r.hash !== cell.hash) {
      const message = `the recording of the cell "${cell.id}" is stale: its code changed since it was recorded`;
      problems.push({ cell: cell.id, kind: 'stale', message });
    }
  }
  const ids = new Set(cells.map((c) => c.id));
  for (const r of recording.cells) {
    if (!ids.has(r.id)) {
      problems.push({
        cell: r.id,
        kind: 'extra',
        message: `the recording holds "${r.id}", a cell the chapter no longer has`,
      });
    }
  }
  return problems;
}

/** Problems of a fresh run: a cell that did not pass, or differs from its recording. */
export function compareRun(cells: Cell[], fresh: Recording, recording: Recording | undefined): Problem[] {
  const problems = freshness(cells, recording);
  const before = new Map(recording?.cells.map((c) => [c.id, c]));
  const now = new Map(fresh.cells.map((c) => [c.id, c]));
  for (const cell of cells) {
    const n = now.get(cell.id);
    if (!n) continue;
    if (n.status === 'failed' || n.status === 'timed-out' || n.status === 'error') {
      problems.push({
        cell: cell.id,
        kind: 'failed',
        message: `${cell.id}: ${n.status}${n.reason ? ` (${n.reason})` : ''}`,
      });
      continue;
    }
    if (cell.data && n.status === 'passed') {
      const unmet = structureProblems(cell, n.output);
      if (unmet.length) {
        problems.push({ cell: cell.id, kind: 'failed', message: `${cell.id}: ${unmet.join('; ')}` });
        continue;
      }
    }
    const b = before.get(cell.id);
    if (!b || b.hash !== cell.hash) continue;
    // Recorded on a target that has what this one lacks: it cannot be verified here, and its
    // recording stays the proof from there (a changed cell is still stale, above).
    if (b.environment && n.status === 'skipped') continue;
    if (b.status !== n.status) {
      problems.push({
        cell: cell.id,
        kind: 'status',
        message: `${cell.id}: recorded as ${describe(b)}, now ${describe(n)}`,
      });
    } else if (cell.compare === 'text' && n.status === 'passed') {
      // A snapshot is compared by the structure it draws, not by its text.
      const want = normalize(comparable(cell, b.output));
      const got = normalize(comparable(cell, n.output));
      if (want !== got) {
        const diff = createTwoFilesPatch(
          `${cell.id} (recorded)`,
          `${cell.id} (this run)`,
          `${want}\n`,
          `${got}\n`,
          '',
          '',
          {
            context: 2,
          },
        );
        problems.push({
          cell: cell.id,
          kind: 'output',
          message: `${cell.id}: the output differs from the recording`,
          diff,
        });
      }
    }
  }
  return problems;
}

function describe(c: CellRecording): string {
  return c.status === 'skipped' ? `skipped (${c.reason})` : c.status;
}

/** What is wrong with a data cell's output: unreadable, or an expectation that does not hold. */
export function structureProblems(cell: Cell, output: string): string[] {
  if (!cell.data) return [];
  try {
    const s = readStructure(cell.data, output);
    return cell.expect ? unmetExpectations(s, cell.expect) : [];
  } catch (e) {
    return [(e as Error).message.split('\n')[0] ?? 'unreadable output'];
  }
}

function comparable(cell: Cell, output: string): string {
  if (!cell.data || cell.data === 'samples') return output;
  try {
    return structureMermaid(readStructure(cell.data, output) as Exclude<Structure, { kind: 'samples' }>);
  } catch {
    return output;
  }
}
