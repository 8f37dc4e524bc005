/**
 * A ```mermaid fence to a figure holding its light and dark SVG (CSS shows the one that
 * matches Starlight's data-theme, no JavaScript) and its title as the text alternative.
 *
 *   ```mermaid title="A veth pair joins two namespaces" beside=veth-up
 *   graph LR; host --- container
 *   ```
 *   ->
 *   <figure class="lab-diagram" data-lab-diagram>
 *     <div class="lab-diagram-light"><svg role="img" aria-label="A veth pair ...">...</svg></div>
 *     <div class="lab-diagram-dark" data-pagefind-ignore><svg role="img" ...>...</svg></div>
 *     <figcaption>A veth pair joins two namespaces</figcaption>
 *   </figure>
 *
 * `beside=CELL_ID` asks for the diagram to stand next to that cell's output (remark-lab.ts).
 */
import type { Element } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { h } from 'hastscript';
import { splitMeta } from '../cells/meta.ts';
import type { Fence } from '../cells/parse.ts';
import { SiteError } from './errors.ts';
import type { MermaidRenderer, Svgs } from './mermaid-render.ts';

export interface Diagram {
  title: string;
  beside?: string;
  line: number;
  figure: Element;
}

const WORDS = ['title', 'beside'];

export const isDiagram = (fence: Fence): boolean => fence.lang === 'mermaid';

function readMeta(fence: Fence, file: string): { title: string; beside?: string } {
  const line = fence.position?.start.line ?? 0;
  const fail = (problem: string, fix: string) => new SiteError(file, line, problem, fix);
  let words: ReturnType<typeof splitMeta>;
  try {
    words = splitMeta(fence.meta ?? '');
  } catch (e) {
    throw fail((e as Error).message, 'close the quote: title="..."');
  }
  const unknown = words.find((w) => !WORDS.includes(w.name) || w.value === undefined);
  if (unknown)
    throw fail(`unknown word "${unknown.name}" on a diagram`, 'use title="..." and optionally beside=CELL_ID');
  const value = (name: string) => words.find((w) => w.name === name)?.value;
  const title = value('title')?.trim();
  if (!title) {
    throw fail(
      'a diagram has no title, its text alternative',
      'say what it shows: ```mermaid title="A veth pair joins two namespaces"',
    );
  }
  return { title, beside: value('beside') };
}

/** One theme's SVG, labelled: mermaid's own roles describe the drawing, not its meaning. */
function labelled(svg: string, title: string): Element {
  const root = fromHtml(svg, { fragment: true }).children.find((n) => n.type === 'element') as Element;
  Object.assign(root.properties, { role: 'img', ariaLabel: title, ariaRoledescription: undefined });
  return root;
}

/**
 * Edge labels that read: mermaid's dark theme writes #ccc on a #585858 label, 4.4:1, under
 * WCAG AA's 4.5:1 (axe, tests/a11y); white reads at 7:1. Mermaid scopes its styles to the
 * SVG's id, so a rule of the same scope, after them, is what overrides them.
 */
function readableEdgeLabels(svg: Element): Element {
  const id = String(svg.properties.id);
  svg.children.push(h('style', `#${id} .edgeLabel p,#${id} .edgeLabel span{color:#fff}`));
  return svg;
}

/** Mermaid source to the figure readers see: light and dark SVG, and the title as caption. */
export async function mermaidFigure(
  mermaid: MermaidRenderer,
  source: string,
  title: string,
  where: { file: string; line: number },
) {
  const svgs: Svgs = await mermaid.render(source, where);
  return h('figure.lab-diagram', { dataLabDiagram: '' }, [
    h('div.lab-diagram-light', [labelled(svgs.light, title)]),
    // The dark copy is the same text: search indexes it once.
    h('div.lab-diagram-dark', { dataPagefindIgnore: '' }, [readableEdgeLabels(labelled(svgs.dark, title))]),
    h('figcaption', title),
  ]);
}

export async function readDiagram(fence: Fence, file: string, mermaid: MermaidRenderer): Promise<Diagram> {
  const { title, beside } = readMeta(fence, file);
  const line = fence.position?.start.line ?? 0;
  return { title, beside, line, figure: await mermaidFigure(mermaid, fence.value, title, { file, line }) };
}
