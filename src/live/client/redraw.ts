/**
 * A data cell's drawing, drawn again from the learner's own live run: the same model code
 * as the build (src/cells/structure), then mermaid in the browser (fetched only now) or the
 * SVG plot. The new drawing replaces the recorded one, marked as live.
 */

import type { DataKind } from '../../cells/structure/index.ts';
import { readStructure, structureMermaid } from '../../cells/structure/index.ts';
import { plotSvg } from '../../cells/structure/samples.ts';

let sequence = 0;

/** `drawnLive` says that a title is of a drawing of the live run, in the page's language. */
export async function redraw(
  figure: HTMLElement,
  rawOutput: string,
  drawnLive: (title: string) => string,
): Promise<void> {
  const kind = figure.dataset.kind as DataKind | undefined;
  const title = figure.dataset.title ?? '';
  if (!kind) return;
  const s = readStructure(kind, rawOutput);
  let svg: string;
  if (s.kind === 'samples') {
    const [x = '', y = ''] = (figure.dataset.axes ?? '').split('|');
    svg = plotSvg(s.model, { title, x, y });
  } else {
    const { default: mermaid } = await import('mermaid');
    const dark = document.documentElement.dataset.theme === 'dark';
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: dark ? 'dark' : 'default' });
    svg = (await mermaid.render(`lab-live-${++sequence}`, structureMermaid(s))).svg;
  }
  const drawn = document.createElement('figure');
  drawn.className = 'lab-diagram lab-live-drawing';
  drawn.innerHTML = svg;
  const root = drawn.querySelector('svg');
  root?.setAttribute('role', 'img');
  root?.setAttribute('aria-label', drawnLive(title));
  const caption = document.createElement('figcaption');
  caption.textContent = drawnLive(title);
  drawn.append(caption);
  const place = figure.querySelector('.lab-drawing');
  place?.querySelector('.lab-diagram, .lab-live-drawing, p.lab-status')?.replaceWith(drawn);
  if (!place) figure.querySelector('.lab-live')?.append(drawn);
}
