/**
 * Renders a Markdown file through Astro's unified pipeline with the site's remark plugin,
 * without a whole Astro build: what the unit tests of the plugin read. Not strict by
 * default (as `astro dev`): the fixture holds a stale and an unrecorded cell on purpose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMarkdownProcessor, type MarkdownRenderer, parseFrontmatter } from '@astrojs/markdown-remark';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { MermaidRenderer } from '../../src/site/mermaid-render.ts';
import { type RemarkLabOptions, remarkLab } from '../../src/site/remark-lab.ts';
import { STRINGS } from '../../src/site/strings.ts';

/** The tests' diagrams are in src/diagrams/ (or LABBOOK_DIAGRAMS): Chromium starts only for a new one. */
const mermaid = new MermaidRenderer();
const processors = new Map<boolean, Promise<MarkdownRenderer>>();
const processor = (strict: boolean) => {
  const options: RemarkLabOptions = { strict, strings: STRINGS, mermaid };
  if (!processors.has(strict)) {
    processors.set(strict, createMarkdownProcessor({ remarkPlugins: [[remarkLab, options]], syntaxHighlight: false }));
  }
  return processors.get(strict) as Promise<MarkdownRenderer>;
};

/** Renders a file as Astro's content collections do: the body without frontmatter, so lines start later. */
export async function renderFile(file: string, renderer: Promise<MarkdownRenderer>): Promise<Root> {
  const { frontmatter, content } = parseFrontmatter(readFileSync(file, 'utf8'), { frontmatter: 'remove' });
  const { code } = await (await renderer).render(content.trim(), { fileURL: pathToFileURL(file), frontmatter });
  return fromHtml(code, { fragment: true });
}

/**
 * Renders `file`, or `text` as a file of that name (in a temporary folder: the plugin reads
 * the chapter from its file, as it reads the pages of the site).
 */
export async function renderMarkdown(file: string, text?: string, { strict = false } = {}): Promise<Root> {
  if (text === undefined) return renderFile(file, processor(strict));
  const dir = mkdtempSync(join(tmpdir(), 'labbook-'));
  try {
    const copy = join(dir, basename(file));
    writeFileSync(copy, text);
    return await renderFile(copy, processor(strict));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
