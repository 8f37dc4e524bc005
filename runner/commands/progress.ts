/** How commands show cells going by: a status line per cell, a bar per chapter. */
import { styleText } from 'node:util';
import { formatDuration } from '../../src/cells/format.ts';
import { reasonText } from '../../src/cells/reasons.ts';
import type { CellRecording, Recording } from '../../src/cells/recording.ts';

const STATUS_STYLE = {
  passed: 'green',
  failed: 'red',
  'timed-out': 'red',
  error: 'red',
  skipped: 'yellow',
} as const;

/** "passed (12 ms, exit 0)", coloured by status. */
export function statusLine(r: CellRecording): string {
  const exit = r.exitCode === null ? '' : `, exit ${r.exitCode}`;
  const reason = reasonText(r);
  const why = reason ? `: ${reason}` : '';
  return (
    styleText(STATUS_STYLE[r.status], `${r.status}${why}`) +
    styleText('dim', ` (${formatDuration(r.durationMs)}${exit})`)
  );
}

/** "[######......]  6/12" */
export function bar(done: number, total: number): string {
  const width = 12;
  const full = Math.round((done / total) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(done).padStart(String(total).length)}/${total}`;
}

/** The time since a performance.now() reading, as "4.2 s". */
export function elapsedSince(t0: number): string {
  return formatDuration(Math.round(performance.now() - t0));
}

export interface Tally {
  chapter: string;
  passed: number;
  skipped: number;
  /** Failed, timed out or in error. */
  bad: number;
  of: number;
}

/** How a chapter's cells went in one run. */
export function tally(chapter: string, recording: Recording): Tally {
  const count = (...statuses: CellRecording['status'][]) =>
    recording.cells.filter((c) => statuses.includes(c.status)).length;
  return {
    chapter,
    passed: count('passed'),
    skipped: count('skipped'),
    bad: count('failed', 'timed-out', 'error'),
    of: recording.cells.length,
  };
}

/**
 * A Markdown table of how every chapter went on one target, and the sum:
 *
 *   | chapter | passed | skipped | failed, timed out or error | of |
 *   |---|---|---|---|---|
 *   | namespace | 35 | 0 | 0 | 35 |
 *   | **all** | **35** | 0 | 0 | 35 |
 */
export function tallyTable(rows: Tally[]): string {
  const sum = (key: 'passed' | 'skipped' | 'bad' | 'of') => rows.reduce((n, r) => n + r[key], 0);
  const all = { chapter: '**all**', passed: sum('passed'), skipped: sum('skipped'), bad: sum('bad'), of: sum('of') };
  const line = (r: Tally, passed = String(r.passed)) =>
    `| ${r.chapter} | ${passed} | ${r.skipped} | ${r.bad} | ${r.of} |`;
  return [
    '| chapter | passed | skipped | failed, timed out or error | of |',
    '|---|---|---|---|---|',
    ...[...rows].sort((a, b) => a.chapter.localeCompare(b.chapter)).map((r) => line(r)),
    line(all, `**${all.passed}**`),
  ].join('\n');
}
