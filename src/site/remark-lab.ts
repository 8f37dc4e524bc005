/**
 * The remark plugin of the site (Astro's unified processor): every fence of a chapter that
 * the cell model (src/cells/parse.ts) reads as a cell becomes a figure with its recorded
 * output and status, and how the other kernels of the matrix ran it (cell-figure.ts);
 * ```mermaid fences become inline SVG (diagram.ts); fences marked `original` get their label;
 * hidden cells disappear; a chapter ends with the table of the kernels it was proven on
 * (proven-table.ts).
 *
 *   ```sh run id=ls-ns              <figure class="lab-cell" data-cell="ls-ns" ...>
 *   ls -l /proc/self/ns       ->      <pre><code class="language-sh">ls -l /proc/self/ns</code></pre>
 *   ```                               <pre class="lab-terminal">...</pre> <div class="lab-meta">...</div>
 *                                   </figure>
 *
 * The chapter is read by the cell model's own reader (readChapter of src/cells/parse.ts), from
 * the file, as the runner reads it: its cells and lines are the runner's. Each fence of the
 * tree Astro gives is matched to the reader's fence of the same code, in order, and replaced.
 *
 * All authoring mistakes of a file are reported together, each with its line and fix, and
 * fail the build (see docs-loader.ts for why a thrown error is enough). With `strict` (what
 * `astro build` passes, plugin.ts) an out-of-date chapter is such a mistake too, on any entry
 * of the matrix; without it (`astro dev`, LABBOOK_MARK_STALE=1) its page is shown, marked.
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
  type ChapterFence,
  type Fence,
  isOriginal,
  loadChapter,
  readChapter,
} from '../cells/parse.ts';
import { translationErrors } from '../cells/translations.ts';
import { cellFigure, FENCE_SLOT } from './cell-figure.ts';
import { cellRuns, type EntryRecording, readRecordings } from './cell-runs.ts';
import { type Diagram, isDiagram, readDiagram } from './diagram.ts';
import { SiteError } from './errors.ts';
import type { MermaidRenderer } from './mermaid-render.ts';
import { type Page, pageOf } from './page.ts';
import { proofByEntry } from './proof.ts';
import { provenTable } from './proven-table.ts';
import { type Dictionaries, type Translate, translator } from './strings.ts';

export interface RemarkLabOptions {
  /** Refuse an out-of-date chapter (a build), rather than mark it (the dev server). */
  strict: boolean;
  /** The site's words (strings.ts), the same that Starlight's translations hold. */
  strings: Dictionaries;
  /** Draws the diagrams not yet in src/diagrams/ (one Chromium for the whole build). */
  mermaid: MermaidRenderer;
}

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

const originalFigure = (t: Translate): Element =>
  h('figure.lab-original', [h('figcaption', t('labbook.original')), h(FENCE_SLOT)]);

/**
 * What is out of date in an English chapter's recordings (compare.ts decides), on every entry
 * of the matrix, at each cell's line, with the command that records it on that entry:
 *
 *   namespace.md:40: vm:debian12: the cell "pid-ns" has no recording
 *     Fix: run npx labbook record namespace --target vm:debian12
 */
function outdatedRecordings(cells: Cell[], recordings: EntryRecording[], page: Page, file: string): CellError[] {
  return recordings.flatMap(({ entry, recording }) => {
    const fix = `run npx labbook record ${page.slug} --target ${entry.name}`;
    return freshness(cells, recording).map((p) => {
      const line = cells.find((c) => c.id === p.cell)?.line ?? 1;
      return new CellError(file, line, `${entry.name}: ${p.message}`, fix);
    });
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

/** What `astro dev` shows on a page whose problems a build refuses (`strict`). */
const problemsNote = (problems: CellError[], t: Translate): Element =>
  h('aside.lab-problems', { role: 'note' }, [
    h('p', t('labbook.translationDiffers')),
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

const sameFence = (a: Fence, b: Fence): boolean =>
  a.value === b.value && (a.lang ?? null) === (b.lang ?? null) && (a.meta ?? null) === (b.meta ?? null);

/**
 * Each fence of Astro's tree with the reader's fence of the same code, in document order. The
 * tree's lines are not the file's (Astro renders the body without its frontmatter); the order
 * and the code are the same, as both parse the same Markdown. A fence of one that the other
 * lacks would mean the file changed while it was rendered, or Markdown the two read otherwise
 * (the reader may see more: MDX has no indented code blocks, which are never cells).
 */
function matchFences(spots: Spot[], fences: ChapterFence[], file: string): Map<Spot, ChapterFence> {
  const matched = new Map<Spot, ChapterFence>();
  let next = 0;
  for (const spot of spots) {
    const at = fences.findIndex((f, i) => i >= next && sameFence(f.fence, spot.fence));
    if (at < 0) {
      const line = spot.fence.position?.start.line ?? 0;
      throw new Error(`${file}: the fence at line ${line} of the page's body is not in the file as it reads now`);
    }
    matched.set(spot, fences[at] as ChapterFence);
    next = at + 1;
  }
  const shown = new Set(matched.values());
  const lost = fences.find((f) => f.cell && !shown.has(f))?.cell;
  if (lost) throw new Error(`${file}:${lost.line}: the page has no fence for the cell "${lost.id}"`);
  return matched;
}

/**
 * The chapter's text: the file itself, which Astro has just read to give the tree (a Markdown
 * string of no file is read as it is given).
 */
const chapterText = (vfile: VFile, file: string): string =>
  existsSync(file) ? readFileSync(file, 'utf8') : String(vfile.value);

export function remarkLab({ strict, strings, mermaid }: RemarkLabOptions) {
  return async (tree: Root, vfile: VFile): Promise<void> => {
    focusableTables(tree);
    if (!vfile.path) return;
    const file = vfile.path;
    const page = pageOf(file);
    const t = translator(strings, page.lang);
    const spots: Spot[] = [];
    visit(tree, 'code', (fence, index, parent) => {
      if (parent && index !== undefined) spots.push({ fence, parent, index });
    });
    const reading = readChapter(chapterText(vfile, file), file);
    const errors: CellError[] = [...reading.errors];
    const { sessions, cells } = reading.chapter;
    const diagrams = new Map<ChapterFence, Diagram>();
    for (const f of reading.fences.filter((f) => isDiagram(f.fence))) {
      try {
        diagrams.set(f, await readDiagram(f.fence, file, mermaid));
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        errors.push(e);
      }
    }

    const shownIds = cells.filter((c) => !c.hidden).map((c) => c.id);
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
    const recordings = cells.length ? readRecordings(page) : [];
    // A stale recording is reported on the English page only: a translation shares it, and
    // its own differences from the English cells are reported as such.
    const outdated =
      page.locale === 'en'
        ? outdatedRecordings(cells, recordings, page, file)
        : translationProblems({ file, sessions, cells }, page);
    if (strict) errors.push(...outdated);
    if (errors.length) throw new ChapterErrors(errors);

    const replacements = new Map<Spot, RootContent | null>();
    for (const [spot, read] of matchFences(spots, reading.fences, file)) {
      const { cell, fence } = read;
      const diagram = diagrams.get(read);
      if (cell) {
        const runs = cell.hidden ? undefined : cellRuns(cell, recordings);
        const figure = runs && (await cellFigure(cell, runs, page, t, mermaid, besides.get(cell.id)));
        // A cell's info line is labbook's, not Expressive Code's: its title= (a data cell's text
        // alternative, the drawing's caption) would become the code frame's title, under the
        // terminal frame's window dots.
        replacements.set(spot, figure ? asMdast(figure, { ...spot.fence, meta: null }) : null);
      } else if (diagram) {
        replacements.set(spot, diagram.beside ? null : asMdast(diagram.figure, spot.fence));
      } else if (isOriginal(fence)) {
        replacements.set(spot, asMdast(originalFigure(t), spot.fence));
      }
    }
    // Last first, so that removing a node leaves the indexes of earlier ones true.
    for (const [spot, node] of [...replacements].reverse()) {
      spot.parent.children.splice(spot.index, 1, ...(node ? [node] : []));
    }
    // Where the chapter was proven closes it, in both languages.
    if (cells.length) tree.children.push(asMdast(provenTable(proofByEntry([{ cells, recordings }]), t)));
    // Stale cells are marked one by one (cell-figure.ts); translation differences above all,
    // added last so that the indexes above stay true.
    if (page.locale !== 'en' && outdated.length) tree.children.unshift(asMdast(problemsNote(outdated, t)));
  };
}
