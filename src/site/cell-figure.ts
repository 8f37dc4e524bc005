/**
 * A cell and its recording to the figure a reader sees. The fence itself stays where the
 * placeholder <lab-fence> is, so that Expressive Code still highlights it and adds its copy
 * button.
 *
 *   ```sh run id=pid-ns-inode          recording: { status: 'passed', exitCode: 0, durationMs: 12,
 *   readlink /proc/1/ns/pid                         output: 'pid:[4026532834]\r\n', ... }
 *   ```
 *   ->
 *   <figure class="lab-cell" data-lab-cell data-chapter="namespace" data-cell="pid-ns-inode"
 *           data-hash="9f3c..." data-status="passed">
 *     <lab-fence></lab-fence>
 *     <pre class="lab-terminal" aria-label="Recorded output" ...>pid:[4026532834]</pre>
 *     <div class="lab-meta" data-pagefind-ignore><span class="lab-status" data-status="passed">passed</span>
 *       <span class="lab-exit">exit 0 · 12 ms</span><span class="lab-where">recorded <time>2026-11-30</time> · ...</span>
 *       <div class="lab-run">...</div></div>
 *   </figure>
 *
 * A check cell reads as its claim, "Verified: <claim>", with everything else in a <details>;
 * a diagram `beside` a cell stands next to its output, or under a check's claim.
 */
import type { Element, ElementContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { h } from 'hastscript';
import { structureProblems } from '../cells/compare.ts';
import { formatDuration } from '../cells/format.ts';
import { plainText } from '../cells/normalize.ts';
import type { Cell } from '../cells/parse.ts';
import type { CellRecording, Environment, Recording } from '../cells/recording.ts';
import { type DataKind, readStructure, structureMermaid } from '../cells/structure/index.ts';
import { plotSvg } from '../cells/structure/samples.ts';
import { mermaidFigure } from './diagram.ts';
import { SiteError } from './errors.ts';
import type { MermaidRenderer } from './mermaid-render.ts';
import type { Page } from './page.ts';
import { runControl } from './run-control.ts';
import type { Translate } from './strings.ts';
import { terminalHtml } from './terminal-html.ts';

export const FENCE_SLOT = 'lab-fence';

function where(env: Environment, recordedAt: string, t: Translate): Element {
  return h('span.lab-where', [
    `${t('labbook.recorded')} `,
    h('time', { datetime: recordedAt }, recordedAt.slice(0, 10)),
    ` · ${env.distro} · Linux ${env.kernel} · ${env.target}`,
  ]);
}

/**
 * Where a cell's recording comes from: the chapter's stamp, or, for a cell recorded on
 * another target than the rest of its chapter, that target's stamp and why it was recorded there.
 */
function provenance(rec: CellRecording, recording: Recording, t: Translate): Element[] {
  const env = rec.environment;
  if (!env) return [where(recording.environment, recording.recordedAt, t)];
  return [
    where(env, env.recordedAt, t),
    h('span.lab-elsewhere', t('labbook.recordedElsewhere', { target: env.target, why: env.skippedHere })),
  ];
}

const exit = (code: number | null, t: Translate) =>
  code === null ? t('labbook.exit.none') : t('labbook.exit.code', { code });

function status(rec: CellRecording | undefined, stale: boolean, t: Translate): Element[] {
  if (!rec) return [h('span.lab-status', { dataStatus: 'none' }, t('labbook.notRecorded'))];
  const word = t(`labbook.status.${rec.status}`);
  const badges = [h('span.lab-status', { dataStatus: rec.status }, rec.reason ? `${word}: ${rec.reason}` : word)];
  if (stale) badges.push(h('span.lab-status', { dataStatus: 'stale' }, t('labbook.stale')));
  if (rec.status !== 'skipped')
    badges.push(h('span.lab-exit', `${exit(rec.exitCode, t)} · ${formatDuration(rec.durationMs)}`));
  return badges;
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
      `${t('labbook.undrawable')}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  const raw = h('details.lab-snapshot', { dataPagefindIgnore: '' }, [
    h('summary', t('labbook.snapshot')),
    h('pre', plainText(rec.output).trim()),
  ]);
  return h('div.lab-drawing', { dataLabDrawing: cell.data }, [picture, raw]);
}

export async function cellFigure(
  cell: Cell,
  recording: Recording | undefined,
  page: Page,
  t: Translate,
  mermaid: MermaidRenderer,
  beside?: Element,
): Promise<Element> {
  const rec = recording?.cells.find((c) => c.id === cell.id);
  const stale = !!rec && rec.hash !== cell.hash;
  const drawn = cell.data && cell.title && rec?.output && rec.status === 'passed';
  const output = drawn
    ? await drawing(cell as Cell & { data: DataKind; title: string }, rec, t, mermaid)
    : rec?.output
      ? await terminalHtml(rec.output)
      : undefined;
  if (output && !drawn) output.properties.ariaLabel = t('labbook.output');
  // A check's output is folded away; a diagram beside it, or its own drawing, stays in view
  // under the claim.
  const inView = cell.check ? [...(drawn && output ? [output] : []), ...(beside ? [beside] : [])] : [];
  const folded = cell.check && drawn ? undefined : output;
  const shown = beside && !cell.check ? h('div.lab-beside', folded ? [folded, beside] : [beside]) : folded;
  // Repeated under every cell: kept out of the search index.
  const meta = h('div.lab-meta', { dataPagefindIgnore: '' }, [
    ...status(rec, stale, t),
    ...(rec && recording ? provenance(rec, recording, t) : []),
    runControl(t),
  ]);
  const body: ElementContent[] = [h(FENCE_SLOT), ...(shown ? [shown] : []), meta];
  // A structural claim holds only if the recorded snapshot shows it.
  const verified = rec?.status === 'passed' && !stale && !structureProblems(cell, rec.output).length;
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
      dataKind: cell.data,
      // What the page's Compare button compares, as labbook check does (compareCell).
      dataCompare: cell.compare === 'text' ? undefined : cell.compare,
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
