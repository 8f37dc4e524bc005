/** How commands show cells going by: a status line per cell, a bar per chapter. */
import { styleText } from 'node:util';
import { formatDuration } from '../../src/cells/format.ts';
import type { CellRecording } from '../../src/cells/recording.ts';

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
  const why = r.reason ? `: ${r.reason}` : '';
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
