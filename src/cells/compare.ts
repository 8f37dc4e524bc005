/**
 * Compares a chapter with its recording (is every cell recorded from its current code?) and
 * a run with the recording. `compareCell` is the one comparison of a cell's run with its
 * recording: `compareRun` (`labbook check`, `npm test`) calls it for each cell of a fresh run,
 * and the page's "Compare with the recording" button for its live run. Runs differ when their
 * statuses differ or, for a cell that compares text, their outputs after normalisation; a data
 * cell's output is compared by its structure (structure/index.ts `comparableStructure`), not by
 * its drawing. The site marks what `freshness` finds; `labbook check` and `npm test` fail on
 * any problem.
 *
 * Browser-safe: the page bundles this module, so it and what it imports use no node: module
 * (tests/unit/compare.test.ts follows the imports).
 */
import { createTwoFilesPatch } from 'diff';
import { unmetChangeExpectations } from './change.ts';
import { normalize } from './normalize.ts';
import type { Cell } from './parse.ts';
import { reasonText } from './reasons.ts';
import type { CellRecording, Recording } from './recording.ts';
import { comparableStructure, readStructure, unmetExpectations } from './structure/index.ts';

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

/** A run that ended badly, whatever its recording: failed, timed out, or in error. */
export const didNotPass = (status: CellRun['status']): boolean =>
  status === 'failed' || status === 'timed-out' || status === 'error';

/** What the comparison reads of a cell: the page knows these from its figure. */
export type ComparedCell = Pick<Cell, 'id'> & Partial<Pick<Cell, 'compare' | 'volatile' | 'data' | 'expect'>>;

/**
 * What it reads of a run of the cell, fresh or recorded: its status, its output, and why it
 * did not pass in words, for the messages (reasons.ts words a recording's reason; a page has it
 * in its language already).
 */
export type CellRun = Pick<CellRecording, 'status' | 'output' | 'change'> & { reason?: string };

/** A recorded cell as compareCell reads it, its reason in English (the CLI's). */
const asRun = (c: CellRecording): CellRun => {
  const reason = reasonText(c);
  return {
    status: c.status,
    output: c.output,
    ...(c.change ? { change: c.change } : {}),
    ...(reason ? { reason } : {}),
  };
};

export interface CellComparison {
  /** The run matches its recording. False with no problems: there was nothing to compare it with. */
  same: boolean;
  /** At most one: the run failed, or its status or output differs from the recording. */
  problems: Problem[];
  /** The two sides as compared, when the outputs were: normalised text, or a data cell's structure. */
  compared?: { recorded: string; fresh: string };
}

/**
 * A run of one cell against its recording (undefined: none from the cell's current code). A run
 * that did not pass, or whose snapshot breaks an expectation, is a failure whatever the recording.
 */
export function compareCell(cell: ComparedCell, fresh: CellRun, recorded?: CellRun): CellComparison {
  const problems: Problem[] = [];
  const result = (verified: boolean, compared?: CellComparison['compared']): CellComparison => ({
    same: verified && !problems.length,
    problems,
    ...(compared ? { compared } : {}),
  });
  if (didNotPass(fresh.status)) {
    problems.push({
      cell: cell.id,
      kind: 'failed',
      message: `${cell.id}: ${fresh.status}${fresh.reason ? ` (${fresh.reason})` : ''}`,
    });
    return result(false);
  }
  if ((cell.data || cell.expect) && fresh.status === 'passed') {
    const unmet = claimProblems(cell, fresh);
    if (unmet.length) {
      problems.push({ cell: cell.id, kind: 'failed', message: `${cell.id}: ${unmet.join('; ')}` });
      return result(false);
    }
  }
  if (!recorded) return result(false);
  if (recorded.status !== fresh.status) {
    problems.push({
      cell: cell.id,
      kind: 'status',
      message: `${cell.id}: recorded as ${describe(recorded)}, now ${describe(fresh)}`,
    });
    return result(true);
  }
  if ((cell.compare ?? 'text') !== 'text' || fresh.status !== 'passed') return result(true);
  const want = comparableOutput(cell, recorded.output);
  const got = comparableOutput(cell, fresh.output);
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
  return result(true, { recorded: want, fresh: got });
}

/** Problems of a fresh run: a cell that did not pass, or differs from its recording. */
export function compareRun(cells: Cell[], fresh: Recording, recording: Recording | undefined): Problem[] {
  const problems = freshness(cells, recording);
  const before = new Map(recording?.cells.map((c) => [c.id, c]));
  const now = new Map(fresh.cells.map((c) => [c.id, c]));
  for (const cell of cells) {
    const n = now.get(cell.id);
    if (!n) continue;
    // A recording from other code is stale (above), not compared.
    const b = before.get(cell.id);
    problems.push(...compareCell(cell, asRun(n), b && b.hash === cell.hash ? asRun(b) : undefined).problems);
  }
  return problems;
}

function describe(c: CellRun): string {
  return c.status === 'skipped' ? `skipped (${c.reason})` : c.status;
}

/**
 * What is wrong with a run's claims: a data cell's output unreadable, or an expectation about its
 * structure, or about its change in the kernel (change.ts), that does not hold.
 */
export function claimProblems(cell: Pick<Cell, 'data' | 'expect'>, run: Pick<CellRun, 'output' | 'change'>): string[] {
  if (!cell.data) return cell.expect ? unmetChangeExpectations(cell.expect, run.change) : [];
  try {
    const s = readStructure(cell.data, run.output);
    return cell.expect ? unmetExpectations(s, cell.expect) : [];
  } catch (e) {
    return [(e as Error).message.split('\n')[0] ?? 'unreadable output'];
  }
}

/** An output as runs are compared: a data cell's structure, or the normalised text (also of a snapshot that cannot be read). */
export function comparableOutput(cell: Partial<Pick<Cell, 'data' | 'volatile'>>, output: string): string {
  if (cell.data) {
    try {
      return comparableStructure(readStructure(cell.data, output));
    } catch {
      // Unreadable: compared as text, which tells the two sides apart as well as anything.
    }
  }
  return normalize(output, cell.volatile);
}
