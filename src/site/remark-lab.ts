/**
 * The remark plugin of the site (Astro's unified processor): every fence of a chapter that
 * the cell model (src/cells/parse.ts) reads as a cell becomes a figure with its recorded
 * output and status (cell-figure.ts); ```mermaid fences become inline SVG (diagram.ts);
 * fences marked `original` get their label; hidden cells disappear.
 *
 *   ```sh run id=ls-ns              <figure class="lab-cell" data-cell="ls-ns" ...>
 *   ls -l /proc/self/ns       ->      <pre><code class="language-sh">ls -l /proc/self/ns</code></pre>
 *   ```                               <pre class="lab-terminal">...</pre> <div class="lab-meta">...</div>
 *                                   </figure>
 *
 * All authoring mistakes of a file are reported together, each with its line and fix, and
 * fail the build (see docs-loader.ts for why a thrown error is enough).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Element, ElementContent } from 'hast';
import { h } from 'hastscript';
import type { Code, Parent, Root, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { freshness } from '../cells/compare.ts';
import { CellError, ChapterErrors } from '../cells/errors.ts';
import {
  type Cell,
  type Chapter,
  checkChapter,
  type Fence,
  isOriginal,
  loadChapter,
  readFence,
  readLab,
} from '../cells/parse.ts';
import { type Recording, readRecording } from '../cells/recording.ts';
import { translationErrors } from '../cells/translations.ts';
import { refusesOutdated } from './build-mode.ts';
import { cellFigure, FENCE_SLOT } from './cell-figure.ts';
import { type Diagram, isDiagram, readDiagram } from './diagram.ts';
import { SiteError } from './errors.ts';
import { type Page, pageOf } from './page.ts';
import { STRINGS, type Strings } from './strings.ts';

interface Spot {
  fence: Code;
  parent: Parent;
  index: number;
}

const holdsFence = (n: ElementContent): boolean =>
  n.type === 'element' && (n.tagName === FENCE_SLOT || n.children.some(holdsFence));

/** An mdast node that remark-rehype turns into exactly this hast element, the fence kept as mdast. */
function asMdast(node: ElementContent, fence?: Code): RootContent {
  if (node.type === 'element' && node.tagName === FENCE_SLOT && fence) return fence;
  if (node.type === 'text') return { type: 'text', value: node.value };
  const el = node as Element;
  const holds = holdsFence(el);
  const data = { hName: el.tagName, hProperties: el.properties, ...(holds ? {} : { hChildren: el.children }) };
  // Not an mdast type: mdast-util-to-hast makes an element of it from `data`.
  return {
    type: 'labElement',
    data,
    children: holds ? el.children.map((c) => asMdast(c, fence)) : [],
  } as unknown as RootContent;
}

/**
 * Lines above the Markdown that the plugin is given: Astro renders a content entry's body
 * without its frontmatter, but an author needs the line in the file.
 */
function frontmatterLines(file: string, body: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  const at = body ? text.indexOf(body) : -1;
  return at < 0 ? 0 : text.slice(0, at).split('\n').length - 1;
}

function atFileLine(fence: Code, offset: number): Fence {
  const start = fence.position?.start;
  if (!offset || !start || !fence.position) return fence;
  return { ...fence, position: { ...fence.position, start: { ...start, line: start.line + offset } } };
}

const originalFigure = (t: Strings): Element => h('figure.lab-original', [h('figcaption', t.original), h(FENCE_SLOT)]);

/** What is out of date in an English chapter's recording (compare.ts decides), at each cell's line. */
function outdatedRecordings(cells: Cell[], recording: Recording | undefined, page: Page, file: string): CellError[] {
  const fix = `run npx labbook record ${page.slug}`;
  return freshness(cells, recording).map((p) => {
    const line = cells.find((c) => c.id === p.cell)?.line ?? 1;
    return new CellError(file, line, p.message, fix);
  });
}

/** Differences between a translation's cells and its English chapter's (none if that one is itself broken). */
function translationProblems(translation: Chapter, page: Page): CellError[] {
  let source: Chapter;
  try {
    source = loadChapter(page.source);
  } catch {
    // The English page reports its own errors.
    return [];
  }
  return translationErrors(source, translation);
}

/** What `astro dev` shows on a page whose problems a build refuses (build-mode.ts). */
const problemsNote = (problems: CellError[], t: Strings): Element =>
  h('aside.lab-problems', { role: 'note' }, [
    h('p', t.translationDiffers),
    h(
      'ul',
      problems.map((p) => h('li', `${p.file}:${p.line}: ${p.problem}`)),
    ),
  ]);

/**
 * A wide table scrolls sideways (Starlight makes it a scroll container), and a keyboard
 * must be able to scroll it: every table takes the focus, as code blocks and outputs do.
 */
function focusableTables(tree: Root): void {
  visit(tree, 'table', (table) => {
    // hProperties: what mdast-util-to-hast puts on the element it makes of the node.
    const data = (table.data ?? {}) as { hProperties?: Record<string, unknown> };
    table.data = { ...data, hProperties: { ...data.hProperties, tabIndex: 0 } } as typeof table.data;
  });
}

export function remarkLab() {
  return async (tree: Root, vfile: VFile): Promise<void> => {
    focusableTables(tree);
    if (!vfile.path) return;
    const file = vfile.path;
    const page = pageOf(file);
    const t = STRINGS[page.locale];
    const spots: Spot[] = [];
    visit(tree, 'code', (fence, index, parent) => {
      if (parent && index !== undefined) spots.push({ fence, parent, index });
    });
    const errors: CellError[] = [];
    const attempt = async <T>(work: () => T | Promise<T>): Promise<T | undefined> => {
      try {
        return await work();
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        errors.push(e);
      }
    };

    const offset = frontmatterLines(file, String(vfile.value));
    const frontmatter = (vfile.data.astro as { frontmatter?: unknown } | undefined)?.frontmatter ?? {};
    const lab = (await attempt(() => readLab(frontmatter, file))) ?? { sessions: {}, requires: [] };
    const { sessions } = lab;
    const cells = new Map<Spot, Cell>();
    const diagrams = new Map<Spot, Diagram>();
    for (const spot of spots) {
      const fence = atFileLine(spot.fence, offset);
      if (isDiagram(fence)) {
        const d = await attempt(() => readDiagram(fence, file));
        if (d) diagrams.set(spot, d);
        continue;
      }
      const cell = await attempt(() => readFence(fence, file, lab.requires));
      if (cell) cells.set(spot, cell);
    }
    errors.push(...checkChapter([...cells.values()], sessions, file));

    const shownIds = [...cells.values()].filter((c) => !c.hidden).map((c) => c.id);
    const besides = new Map<string, Element>();
    for (const d of diagrams.values()) {
      if (!d.beside) continue;
      if (!shownIds.includes(d.beside)) {
        errors.push(
          new SiteError(
            file,
            d.line,
            `beside=${d.beside} names no shown cell of this page`,
            `use the id of a cell that readers see: ${shownIds.join(', ') || '(none)'}`,
          ),
        );
      } else besides.set(d.beside, d.figure);
    }
    const recording = cells.size ? readRecording(page.recordingFile) : undefined;
    // A stale recording is reported on the English page only: a translation shares it, and
    // its own differences from the English cells are reported as such.
    const outdated =
      page.locale === 'en'
        ? outdatedRecordings([...cells.values()], recording, page, file)
        : translationProblems({ file, sessions, cells: [...cells.values()] }, page);
    if (refusesOutdated()) errors.push(...outdated);
    if (errors.length) throw new ChapterErrors(errors);

    const replacements = new Map<Spot, RootContent | null>();
    for (const spot of spots) {
      const cell = cells.get(spot);
      const diagram = diagrams.get(spot);
      if (cell) {
        const figure = cell.hidden ? null : await cellFigure(cell, recording, page, t, besides.get(cell.id));
        replacements.set(spot, figure && asMdast(figure, spot.fence));
      } else if (diagram) {
        replacements.set(spot, diagram.beside ? null : asMdast(diagram.figure, spot.fence));
      } else if (isOriginal(spot.fence)) {
        replacements.set(spot, asMdast(originalFigure(t), spot.fence));
      }
    }
    // Last first, so that removing a node leaves the indexes of earlier ones true.
    for (const [spot, node] of [...replacements].reverse()) {
      spot.parent.children.splice(spot.index, 1, ...(node ? [node] : []));
    }
    // Stale cells are marked one by one (cell-figure.ts); translation differences above all,
    // added last so that the indexes above stay true.
    if (page.locale !== 'en' && outdated.length) tree.children.unshift(asMdast(problemsNote(outdated, t)));
  };
}
