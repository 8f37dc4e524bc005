/**
 * How a recorded run of a cell ended, in words: the badges of a figure's meta line, and of
 * another kernel's run that differs from it (matrix-view.ts).
 *
 *   { status: 'failed', exitCode: 3, durationMs: 4 }  ->  <span class="lab-status" data-status="failed">failed</span>
 *                                                         <span class="lab-exit">exit 3 · 4 ms</span>
 */
import type { Element } from 'hast';
import { h } from 'hastscript';
import { formatDuration } from '../cells/format.ts';
import { reasonText } from '../cells/reasons.ts';
import type { CellRecording } from '../cells/recording.ts';
import type { Translate } from './strings.ts';

const exit = (code: number | null, t: Translate) =>
  code === null ? t('labbook.exit.none') : t('labbook.exit.code', { code });

/**
 * A run's status in words, with its reason when it has one, in the page's language:
 * "skipped: needs ipvlan, ...", "已跳过（需要 ipvlan，……）".
 */
export function statusWords(rec: CellRecording, t: Translate): string {
  const status = t(`labbook.status.${rec.status}`);
  const reason = reasonText(rec, t.lang);
  return reason ? t('labbook.status.withReason', { status, reason }) : status;
}

/** None recorded says so; a recording from other code (`stale`) says that too. */
export function statusBadges(rec: CellRecording | undefined, stale: boolean, t: Translate): Element[] {
  if (!rec) return [h('span.lab-status', { dataStatus: 'none' }, t('labbook.notRecorded'))];
  const badges = [h('span.lab-status', { dataStatus: rec.status }, statusWords(rec, t))];
  if (stale) badges.push(h('span.lab-status', { dataStatus: 'stale' }, t('labbook.stale')));
  if (rec.status !== 'skipped')
    badges.push(h('span.lab-exit', `${exit(rec.exitCode, t)} · ${formatDuration(rec.durationMs)}`));
  return badges;
}
