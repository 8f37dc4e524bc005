/**
 * Renders a Markdown file through Astro's unified pipeline with the site's remark plugin,
 * without a whole Astro build: what the unit tests of the plugin read.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createMarkdownProcessor, parseFrontmatter } from '@astrojs/markdown-remark';
import type { Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { remarkLab } from '../../src/site/remark-lab.ts';

const processor = createMarkdownProcessor({ remarkPlugins: [remarkLab], syntaxHighlight: false });

export async function renderMarkdown(file: string, text = readFileSync(file, 'utf8')): Promise<Root> {
  // As Astro's content collections do: the body without frontmatter, so lines start later.
  const { frontmatter, content } = parseFrontmatter(text, { frontmatter: 'remove' });
  const { code } = await (await processor).render(content.trim(), { fileURL: pathToFileURL(file), frontmatter });
  return fromHtml(code, { fragment: true });
}
