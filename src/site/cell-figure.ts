/**
 * A cell and its recorded runs to the figure a reader sees: the main run (cell-runs.ts) as the
 * figure's output, status and stamp, then a line for each other entry of the matrix
 * (matrix-view.ts). The fence itself stays where the placeholder <lab-fence> is, so that
 * Expressive Code still highlights it and adds its copy button.
 *
 *   ```sh run id=pid-ns-inode          main run, on local: { status: 'passed', exitCode: 0, durationMs: 12,
 *   readlink /proc/1/ns/pid                                  output: 'pid:[4026532834]\r\n', ... }
 *   ```
 *   ->
 *   <figure class="lab-cell" data-lab-cell data-chapter="namespace" data-cell="pid-ns-inode"
 *           data-hash="9f3c..." data-status="passed" data-entry="local">
 *     <lab-fence></lab-fence>
 *     <pre class="lab-terminal" aria-label="Recorded output" ...>pid:[4026532834]</pre>
 *     <div class="lab-meta" data-pagefind-ignore><span class="lab-status" data-status="passed">passed</span>
 *       <span class="lab-exit">exit 0 · 12 ms</span><span class="lab-where">recorded <time>2026-11-30</time> ·
 *       Debian GNU/Linux 12 (bookworm) · Linux 6.18.44-fc-v657 · local</span><div class="lab-run">...</div></div>
 *     <ul class="lab-kernels" ...><li data-entry="vm:debian12" data-verdict="same">vm:debian12 · Linux 6.1: same output</li>...</ul>
 *   </figure>
 *
 * The figure's data-* and its meta line describe the main run: the page's Compare button
 * compares a live run with that, or with the line of the runner's own entry of the matrix when
 * the figure has one (src/live/client/recorded-run.ts).
 *
 * A check cell reads as its claim, "Verified: <claim>", with everything else in a <details>;
 * a diagram `beside` a cell stands next to its output, or under a check's claim.
 */
import type { Element, ElementContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { h } from 'hastscript';
import { claimProblems } from '../cells/compare.ts';
import { plainText } from '../cells/normalize.ts';
import type { Cell } from '../cells/parse.ts';
import type { CellRecording } from '../cells/recording.ts';
import { type DataKind, readStructure, structureMermaid } from '../cells/structure/index.ts';
import { plotSvg } from '../cells/structure/samples.ts';
import type { EntryRun } from './cell-runs.ts';
import { mermaidFigure } from './diagram.ts';
import { SiteError } from './errors.ts';
import { otherKernels } from './matrix-view.ts';
import type { MermaidRenderer } from './mermaid-render.ts';
import type { Page } from './page.ts';
import { runControl } from './run-control.ts';
import { statusBadges } from './status-badges.ts';
import type { Translate } from './strings.ts';
import { terminalHtml } from './terminal-html.ts';

export const FENCE_SLOT = 'lab-fence';

/** Where and when the run a figure shows was recorded: its entry of the matrix, its kernel, its distribution. */
function where({ entry, recording, rec }: EntryRun, t: Translate): Element[] {
  if (!recording || !rec) return [];
  const { environment: env, recordedAt } = recording;
  return [
    h('span.lab-where', { dataEntry: entry.name }, [
      `${t('labbook.recorded')} `,
      h('time', { datetime: recordedAt }, recordedAt.slice(0, 10)),
      ` · ${env.distro} · Linux ${env.kernel} · ${entry.name}`,
    ]),
  ];
}

/**
 * A data cell's drawing from its recorded snapshot: a mermaid diagram or an SVG plot, with the
 * raw snapshot one click away. What cannot be drawn says why instead.
 */
async function drawing(
  cell: Cell & { data: DataKind; title: string },
  rec: CellRecording,
  t: Translate,
  mermaid: MermaidRenderer,
): Promise<Element> {
  let picture: Element;
  try {
    const s = readStructure(cell.data, rec.output);
    picture =
      s.kind === 'samples'
        ? h('figure.lab-diagram', [
            fromHtml(plotSvg(s.model, { title: cell.title, x: cell.axes?.[0] ?? '', y: cell.axes?.[1] ?? '' }), {
              fragment: true,
            }).children[0] as Element,
            h('figcaption', cell.title),
          ])
        : await mermaidFigure(mermaid, structureMermaid(s), cell.title, { file: cell.file, line: cell.line });
  } catch (e) {
    if (e instanceof SiteError) throw e;
    picture = h(
      'p.lab-status',
      { dataStatus: 'error' },
      t('labbook.undrawable', { why: (e as Error).message.split('\n')[0] ?? '' }),
    );
  }
  const raw = h('details.lab-snapshot', { dataPagefindIgnore: '' }, [
    h('summary', t('labbook.snapshot')),
    h('pre', plainText(rec.output).trim()),
  ]);
  return h('div.lab-drawing', { dataLabDrawing: cell.data }, [picture, raw]);
}

/** Up to this many lines of change are shown open; more are one click away. */
const OPEN_CHANGE_LINES = 8;

/**
 * What the recorded run changed in the kernel (src/cells/lab-state.ts), a line each, readable
 * without JavaScript:
 *
 *   <details class="lab-change" open><summary>What it changed in the kernel (2)</summary>
 *     <ul><li data-op="+"><code>+ namespace net ns1</code></li>...</ul></details>
 */
export function changeList(change: string[] | undefined, t: Translate): Element | undefined {
  if (!change?.length) return undefined;
  return h('details.lab-change', { open: change.length <= OPEN_CHANGE_LINES, dataPagefindIgnore: '' }, [
    h('summary', t('labbook.change', { count: change.length })),
    h(
      'ul',
      change.map((line) => h('li', { dataOp: line[0] }, [h('code', line)])),
    ),
  ]);
}

export async function cellFigure(
  cell: Cell,
  { main, others }: { main: EntryRun; others: EntryRun[] },
  page: Page,
  t: Translate,
  mermaid: MermaidRenderer,
  beside?: Element,
): Promise<Element> {
  const { rec } = main;
  const stale = !!rec && !main.current;
  const drawn = cell.data && cell.title && rec?.output && rec.status === 'passed';
  const output = drawn
    ? await drawing(cell as Cell & { data: DataKind; title: string }, rec, t, mermaid)
    : rec?.output
      ? await terminalHtml(rec.output)
      : undefined;
  if (output && !drawn) output.properties.ariaLabel = t('labbook.output');
  // A check's output is folded away; a diagram beside it, or its own drawing, stays in view
  // under the claim.
  const changed = !stale && !cell.hidden ? changeList(rec?.change, t) : undefined;
  const inView = cell.check
    ? [...(drawn && output ? [output] : []), ...(beside ? [beside] : []), ...(changed ? [changed] : [])]
    : [];
  const folded = cell.check && drawn ? undefined : output;
  const besideShown = beside && !cell.check ? h('div.lab-beside', folded ? [folded, beside] : [beside]) : folded;
  const shown = [...(besideShown ? [besideShown] : []), ...(changed && !cell.check ? [changed] : [])];
  // Repeated under every cell: kept out of the search index.
  const meta = h('div.lab-meta', { dataPagefindIgnore: '' }, [
    ...statusBadges(rec, stale, t),
    ...where(main, t),
    runControl(t, !!rec?.output && !stale && !drawn, !!cell.expect && !cell.data),
  ]);
  const kernels = await otherKernels(cell, main, others, t);
  const body: ElementContent[] = [h(FENCE_SLOT), ...shown, meta, ...(kernels ? [kernels] : [])];
  // A structural claim holds only if the recorded snapshot shows it.
  const verified = rec?.status === 'passed' && !stale && !claimProblems(cell, rec).length;
  const claim = cell.claim ?? cell.id;
  return h(
    'figure.lab-cell',
    {
      className: cell.check ? ['lab-check'] : [],
      dataLabCell: '',
      dataChapter: page.slug,
      dataCell: cell.id,
      dataHash: cell.hash,
      dataStatus: !rec ? 'none' : stale ? 'stale' : rec.status,
      // The entry whose run the figure shows, and the page's Compare button compares with when
      // the runner's target has no line of its own under it.
      dataEntry: main.entry.name,
      dataKind: cell.data,
      // What the page's Compare button compares, as labbook check does (compareCell).
      dataCompare: cell.compare === 'text' ? undefined : cell.compare,
      dataVolatile: cell.volatile,
      dataExpect: cell.expect,
      dataTitle: cell.data ? cell.title : undefined,
      dataAxes: cell.axes?.join('|'),
    },
    cell.check
      ? [
          h('details', [
            h(
              'summary.lab-claim',
              { dataVerified: String(verified) },
              `${verified ? t('labbook.verified') : t('labbook.notVerified')}${claim}`,
            ),
            ...body,
          ]),
          ...inView,
        ]
      : body,
  );
}
