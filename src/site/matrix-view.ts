/**
 * Under a cell's figure, how the other entries of the matrix ran it, each against the main
 * run that the figure shows (cell-runs.ts), by the one comparer, compareCell, which sets aside
 * what changes from run to run (PIDs, MACs, inodes, times). One line per entry; a line that
 * differs is a native <details> (it opens without JavaScript) holding what differs: the
 * normalised outputs' diff and that kernel's own output, or that kernel's status and output
 * when its status is not the main's.
 *
 *   <ul class="lab-kernels" aria-label="Results on the other kernels">
 *     <li data-entry="local" data-verdict="skipped" data-status="skipped"
 *         data-reason="needs ipvlan, but this kernel lacks ipvlan">local · Linux 6.18: skipped: needs ipvlan, but this kernel lacks ipvlan</li>
 *     (on the Chinese page: data-reason="需要 ipvlan，但此内核没有 ipvlan", the reason in the page's language)
 *     <li data-entry="vm:debian13" data-verdict="differs" data-status="passed"><details>
 *       <summary>vm:debian13 · Linux 6.12: differs</summary>
 *       <p>Lines with - are the output of vm:debian12, shown above; lines with + are that of vm:debian13:</p>
 *       <pre class="lab-diff" tabindex="0"><span class="lab-diff-hunk">@@ -1,2 +1,2 @@</span>
 *   <span class="lab-diff-same"> 0::/</span>
 *   <span class="lab-diff-del">-cpu memory</span>
 *   <span class="lab-diff-add">+cpu memory pids</span></pre>
 *       <p>Its output on vm:debian13:</p>
 *       <pre class="lab-terminal" aria-label="vm:debian13 · Linux 6.12: Recorded output" ...>0::/
 *   cpu memory pids</pre>
 *     </details></li>
 *   </ul>
 *
 * The other lines read "vm:debian12 · Linux 6.1: same output" ("same status (output not
 * compared)" for a cell that compares only its status) and "vm:debian13: not recorded on this
 * kernel" (no recording of the cell's current code there, which only a non-strict build shows).
 * A line's data-status and data-reason, and a kernel's own output, are what the page's Compare
 * button compares a live run with when the reader's runner is that entry
 * (src/live/client/recorded-run.ts): the diff alone would not give it back.
 */
import type { Element, ElementContent } from 'hast';
import { h } from 'hastscript';
import { claimProblems, compareCell } from '../cells/compare.ts';
import { plainText } from '../cells/normalize.ts';
import type { Cell } from '../cells/parse.ts';
import { reasonText } from '../cells/reasons.ts';
import type { CellRecording } from '../cells/recording.ts';
import { type EntryRun, entryLabel } from './cell-runs.ts';
import { statusBadges, statusWords } from './status-badges.ts';
import type { Translate } from './strings.ts';
import { terminalHtml } from './terminal-html.ts';

/** The class of a line of a unified diff, by its first character. */
const DIFF_LINE: Record<string, string> = {
  '@': 'lab-diff-hunk',
  '+': 'lab-diff-add',
  '-': 'lab-diff-del',
  ' ': 'lab-diff-same',
};

/**
 * compareCell's unified diff from its first hunk (its file headers name a recording and a
 * run, not two kernels), without the blank line it ends with: both sides end with a newline.
 */
function diffPre(diff: string): Element {
  const lines = diff.split('\n');
  const hunks = lines.slice(lines.findIndex((l) => l.startsWith('@@')));
  while (hunks.length && /^ ?$/.test(hunks.at(-1) as string)) hunks.pop();
  const children = hunks.flatMap((l, i): ElementContent[] => [
    ...(i ? [{ type: 'text' as const, value: '\n' }] : []),
    h('span', { className: [DIFF_LINE[l[0] as string] ?? 'lab-diff-same'] }, l),
  ]);
  // Focusable: a long line scrolls it sideways.
  return h('pre.lab-diff', { tabIndex: 0 }, children);
}

/**
 * A kernel's own recorded output, as the figure shows the main one: a passed data cell's
 * snapshot as plain text, like the figure's raw snapshot (unwrapped, so that the page can read
 * it into its structure again), else the terminal. Not drawn: a drawing per kernel would cost
 * the build a mermaid render each, for what the diff beside it already says.
 */
async function ownOutput(cell: Cell, run: EntryRun, rec: CellRecording, t: Translate): Promise<Element> {
  const ariaLabel = t('labbook.matrix.line', { kernel: entryLabel(run), verdict: t('labbook.output') });
  if (cell.data && rec.status === 'passed') {
    return h('div.lab-snapshot', [h('pre', { tabIndex: 0, ariaLabel }, plainText(rec.output).trim())]);
  }
  const output = await terminalHtml(rec.output);
  output.properties.ariaLabel = ariaLabel;
  return output;
}

/**
 * What a run (`rec`, of `run`'s entry) that differs from the main one shows: the diff of their
 * outputs and its own output, or its own status and output.
 */
async function difference(cell: Cell, main: EntryRun, run: EntryRun, rec: CellRecording, t: Translate) {
  const diff = compareCell(cell, rec, main.rec).problems.find((p) => p.kind === 'output')?.diff;
  if (diff) {
    const legend = h('p', t('labbook.matrix.diffLegend', { main: main.entry.name, other: run.entry.name }));
    // An empty output is all of the diff's - lines: nothing to show under it.
    if (!rec.output) return [legend, diffPre(diff)];
    const label = h('p', t('labbook.matrix.output', { kernel: run.entry.name }));
    return [legend, diffPre(diff), label, await ownOutput(cell, run, rec, t)];
  }
  // A data cell that passed but whose snapshot breaks an expectation says which.
  const unmet = rec.status === 'passed' ? claimProblems(cell, rec) : [];
  const said: ElementContent[] = [h('p', [...statusBadges(rec, false, t), ...unmet.map((u) => h('span', u))])];
  if (!rec.output) return said;
  return [...said, await ownOutput(cell, run, rec, t)];
}

async function kernelLine(cell: Cell, main: EntryRun, run: EntryRun, t: Translate): Promise<Element> {
  const said = (verdict: string) => t('labbook.matrix.line', { kernel: entryLabel(run), verdict });
  const { rec } = run;
  // The status and reason of a recording of the current code: a stale one is "not recorded".
  const recorded = rec && run.current ? { dataStatus: rec.status, dataReason: reasonText(rec, t.lang) } : {};
  const line = (verdict: string, children: ElementContent[] | string) =>
    h('li', { dataEntry: run.entry.name, dataVerdict: verdict, ...recorded }, children);
  if (!rec || !run.current) return line('missing', said(t('labbook.matrix.missing')));
  if (rec.status === 'skipped') return line('skipped', said(statusWords(rec, t)));
  // The main run is current too: it is the first current one, and this one is.
  if (compareCell(cell, rec, main.rec).same) {
    return line('same', said(t(cell.compare === 'status' ? 'labbook.matrix.sameStatus' : 'labbook.matrix.same')));
  }
  return line('differs', [
    h('details', [h('summary', said(t('labbook.matrix.differs'))), ...(await difference(cell, main, run, rec, t))]),
  ]);
}

/** The lines of the entries other than the main one; none when the matrix has one entry. */
export async function otherKernels(
  cell: Cell,
  main: EntryRun,
  others: EntryRun[],
  t: Translate,
): Promise<Element | undefined> {
  if (!others.length) return undefined;
  const lines = await Promise.all(others.map((run) => kernelLine(cell, main, run, t)));
  return h('ul.lab-kernels', { ariaLabel: t('labbook.matrix.others'), dataPagefindIgnore: '' }, lines);
}
