/**
 * The site as the Pages workflow publishes it: `npm run build` of the real content, in the
 * strict mode that refuses stale or missing recordings (no fixture, no LABBOOK_MARK_STALE).
 * A broken build fails here; so does a page that lost its content: every page of the docs,
 * in both languages, must be in dist/ with each of its headings and each cell it shows.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChapter } from '../../src/cells/parse.ts';
import { copyProject, runBuild } from './built-site.ts';

let root: string;
let build: ReturnType<typeof runBuild>;
beforeAll(() => {
  root = copyProject([], { fixture: false });
  build = runBuild(root);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every page of the docs: its Markdown file and where the build puts its HTML. */
function pages(): { file: string; html: string }[] {
  const docs = join(root, 'src/content/docs');
  return readdirSync(docs, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.mdx?$/.test(f))
    .map((f) => {
      const route = f.replace(/\.mdx?$/, '').replace(/(^|\/)index$/, '');
      return { file: join(docs, f), html: join(root, 'dist', route, 'index.html') };
    });
}

/** The headings of a Markdown page, as a reader sees their text (outside fences, inline marks removed). */
function headings(markdown: string): string[] {
  const found: string[] = [];
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const m = !fence && /^#{2,4}\s+(.+?)\s*$/.exec(line);
    if (m) found.push((m[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*_]/g, ''));
  }
  return found;
}

describe('npm run build of the published site (strict, as the Pages workflow runs it)', () => {
  it('passes', () => {
    expect(build.status, build.output.slice(-4000)).toBe(0);
  });

  it('has every page of the docs, the home page and both languages included', () => {
    const all = pages();
    expect(all.map((p) => p.html)).toEqual(
      expect.arrayContaining([join(root, 'dist/index.html'), join(root, 'dist/zh-cn/index.html')]),
    );
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const p of all) expect(existsSync(p.html), `${p.file} -> ${p.html}`).toBe(true);
  });

  it('keeps each page whole: every heading and every shown cell of its Markdown', () => {
    let tables = 0;
    for (const { file, html } of pages()) {
      const markdown = readFileSync(file, 'utf8');
      const main = select('main', fromHtml(readFileSync(html, 'utf8'))) as Element;
      const shown = selectAll('h2, h3, h4', main).map((h) => textOf(h).replace(/[`*_]/g, '').trim());
      for (const heading of headings(markdown)) expect(shown, `${file}: ## ${heading}`).toContain(heading);
      // A table may scroll sideways on a narrow screen or with other fonts: the keyboard reaches it.
      for (const table of selectAll('table', main)) {
        expect(table.properties.tabIndex, `${file}: a table`).toBe(0);
        tables++;
      }
      for (const cell of parseChapter(markdown, file).cells.filter((c) => !c.hidden)) {
        expect(select(`figure[data-cell="${cell.id}"]`, main), `${file}: cell ${cell.id}`).toBeDefined();
      }
    }
    expect(tables).toBeGreaterThan(0);
  });
});
