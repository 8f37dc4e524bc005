/**
 * The Run control under each cell. Until a runner is connected it only says how to start
 * one; the sentence is rendered into the page here, in the page's language, and the live
 * client (src/live/client/index.ts, which client/run-loader.ts loads on the first click)
 * reveals it when this tab has no runner link.
 *
 *   -> <div class="lab-run"><button type="button" data-lab-run>Run</button>
 *        <button type="button" data-lab-replay>Replay</button>   (a cell with recorded output)
 *        <label class="lab-run-change"><input type="checkbox" data-lab-change> show what it changes in the kernel</label>
 *        <p class="lab-run-hint" hidden role="status">Start a runner with <code>sudo npx labbook serve</code> ...</p></div>
 */
import type { Element, ElementContent } from 'hast';
import { h } from 'hastscript';
import { splitBackticks } from '../cells/format.ts';
import type { Translate } from './strings.ts';

/** `code` spans of the one-sentence wording become <code>. */
function inlineCode(text: string): ElementContent[] {
  return splitBackticks(text).map((part) => (part.code ? h('code', part.text) : { type: 'text', value: part.text }));
}

/**
 * `replayable`: the figure shows recorded output, which Replay plays at the pace it came.
 * `change`: the reader's Run also asks what the cell changes in the kernel; ticked at first for
 * a cell whose claim is about that change (Compare verifies it on the live run).
 */
export function runControl(t: Translate, replayable = false, change = false): Element {
  return h('div.lab-run', [
    h('button', { type: 'button', dataLabRun: '' }, t('labbook.run')),
    ...(replayable ? [h('button', { type: 'button', dataLabReplay: '' }, t('labbook.replay'))] : []),
    h('label.lab-run-change', [
      h('input', { type: 'checkbox', dataLabChange: '', checked: change }),
      t('labbook.runChange'),
    ]),
    h('p.lab-run-hint', { hidden: true, role: 'status' }, inlineCode(t('labbook.runHint'))),
  ]);
}
