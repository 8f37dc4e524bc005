/**
 * The built site: every cell of every chapter (the real ones and the fixture) on its
 * English and Chinese page with its recorded output and status; then, in headless
 * Chromium, pages without JavaScript, without console errors, in Chinese, and search.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Element, ElementContent, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATRIX, recordingDir } from '../../src/cells/matrix.ts';
import { plainText } from '../../src/cells/normalize.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import { readRecording } from '../../src/cells/recording.ts';
import { cellRuns } from '../../src/site/cell-runs.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../../src/site/chromium.ts';
import { type BuiltSite, buildSite, preview } from './built-site.ts';

let site: BuiltSite;
beforeAll(() => {
  site = buildSite();
  console.log(`site built in ${site.buildMs} ms`);
}, 300_000);
afterAll(() => rmSync(site.root, { recursive: true, force: true }));

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/** Every page of the build in a language: its path under dist/ and its tree. */
function pagesIn(prefix: '' | 'zh-cn/'): { path: string; tree: Root }[] {
  return readdirSync(join(site.dist, prefix), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html') && (prefix || !f.startsWith('zh-cn/')))
    .map((f) => ({ path: `/${prefix}${f}`, tree: fromHtml(readFileSync(join(site.dist, prefix, f), 'utf8')) }));
}

/** Elements that flow in a line of text: a line break in one is a space between its neighbours' words. */
const INLINE = new Set(
  'a abbr b bdi bdo cite data dfn em i kbd label mark q s samp small span strong sub sup time u var wbr del ins'.split(
    ' ',
  ),
);
/** What a reader does not read as prose: code, and what is not shown. */
const NOT_PROSE = new Set(['pre', 'code', 'script', 'style', 'template', 'textarea']);
/** Where no line of text goes on: between blocks, and in place of code. */
const BLOCK_EDGE = '\u0000';

/**
 * The text a reader sees of a page, attributes aside: its text nodes in order, a BLOCK_EDGE at
 * each edge of a block (a paragraph, a list item, an SVG line) and in place of code, so that a
 * line break that the browser shows as a space inside a line is a "\n" between two characters.
 */
function proseOf(tree: Root): string {
  const out: string[] = [];
  const walk = (node: Root | ElementContent): void => {
    if (node.type === 'text') out.push(node.value);
    if (node.type !== 'element' && node.type !== 'root') return;
    // Where a style keeps line breaks (white-space: pre-line...), "\n" is a break, not a space.
    const kept = node.type === 'element' && /white-space:\s*pre/.test(String(node.properties.style ?? ''));
    if (node.type === 'element' && (NOT_PROSE.has(node.tagName) || kept)) {
      out.push(BLOCK_EDGE);
      return;
    }
    const block = node.type === 'root' || !INLINE.has(node.tagName);
    if (block) out.push(BLOCK_EDGE);
    for (const child of node.children) walk(child as ElementContent);
    if (block) out.push(BLOCK_EDGE);
  };
  walk(tree);
  return out.join('');
}

/** CJK ideographs, CJK punctuation and full-width forms. */
const CJK = '[\\u3000-\\u303f\\uff00-\\uffef\\u4e00-\\u9fff]';
/** A line break, with spaces about it, between two of them: the browser shows a stray space there. */
const CJK_BREAK = new RegExp(`${CJK}[ \\t]*\\n\\s*${CJK}`, 'g');
/** How the runner says in English why a cell was skipped (src/cells/capabilities.ts). */
const ENGLISH_SKIP = /needs |but this |which is not installed/;

/** Every chapter page of the build: English ones and their translations, with their recording's slug. */
function chapterPages(): { file: string; slug: string; html: string }[] {
  const docs = join(site.root, 'src/content/docs');
  const english = readdirSync(docs).filter((f) => /^[^_].*\.mdx?$/.test(f) && !f.startsWith('index.'));
  return english.flatMap((f) => {
    const slug = f.replace(/\.mdx?$/, '');
    return ['', 'zh-cn/']
      .filter((prefix) => existsSync(join(docs, prefix, f)))
      .map((prefix) => ({ file: join(docs, prefix, f), slug, html: join(site.dist, prefix, slug, 'index.html') }));
  });
}

describe('the built site', () => {
  it('has the fixture chapter in both languages', () => {
    expect(chapterPages().filter((p) => p.slug === 'fixture')).toHaveLength(2);
  });

  it('shows every cell of every chapter with its recorded output and status', () => {
    for (const { file, slug, html } of chapterPages()) {
      const page = fromHtml(readFileSync(html, 'utf8'));
      // The copy's recordings, by entry of the matrix (recordingPath gives this project's).
      const recordings = MATRIX.map((entry) => {
        const path = join(site.root, 'src/content/recordings', recordingDir(entry), `${slug}.json`);
        return { entry, file: path, recording: readRecording(path) };
      });
      for (const cell of loadChapter(file).cells) {
        const figure = select(`figure[data-cell="${cell.id}"]`, page) as Element | undefined;
        const where = `${html}: cell ${cell.id}`;
        if (cell.hidden) {
          expect(figure, where).toBeUndefined();
          continue;
        }
        expect(figure, where).toBeDefined();
        // The run shown is the main one: the first entry's that ran this code without skipping it.
        const { main } = cellRuns(cell, recordings);
        const rec = main.rec;
        const status = !rec ? 'none' : !main.current ? 'stale' : rec.status;
        expect(figure?.properties.dataStatus, where).toBe(status);
        expect(figure?.properties.dataEntry, where).toBe(main.entry.name);
        expect(figure?.properties.dataHash, where).toBe(cell.hash);
        // Without the spaces: the terminal expands tabs and wraps lines at 100 columns, also
        // inside a word longer than that (a path of containerd's snapshotter).
        const expected = words(plainText(rec?.output ?? ''))
          .slice(0, 8)
          .join('');
        const shown = words(textOf((select('pre.lab-terminal', figure as Element) ?? figure) as Element)).join('');
        if (expected) expect(shown, where).toContain(expected);
        expect(selectAll('button[data-lab-run]', figure as Element), where).toHaveLength(1);
        // What the recorded run changed in the kernel, a line each, as recorded.
        const change = main.current ? (rec?.change ?? []) : [];
        expect(
          selectAll('.lab-change li', figure as Element).map((li) => textOf(li)),
          where,
        ).toEqual(change);
      }
    }
  });
});

describe('the built Chinese pages', () => {
  it("say why a cell was skipped in Chinese, never in the runner's English", () => {
    const pages = pagesIn('zh-cn/');
    expect(pages.length).toBeGreaterThan(5);
    for (const { path, tree } of pages) {
      const prose = proseOf(tree);
      expect(prose.match(new RegExp(`.{0,40}(${ENGLISH_SKIP.source}).{0,40}`))?.[0], path).toBeUndefined();
      // Nor does the reason the page's Compare button shows (a line's data-reason).
      for (const line of selectAll('[data-reason]', tree)) {
        expect(String(line.properties.dataReason), path).not.toMatch(ENGLISH_SKIP);
      }
    }
    const fixture = pages.find((p) => p.path === '/zh-cn/fixture/index.html')?.tree as Root;
    expect(textOf(select('[data-cell="needs-ipvlan"] .lab-status', fixture) as Element)).toBe(
      '已跳过（需要 ipvlan，但此内核没有 ipvlan）',
    );
    expect(textOf(select('.lab-proven details li', fixture) as Element)).toBe(
      'needs-ipvlan：需要 ipvlan，但此内核没有 ipvlan',
    );
  });

  it('have no line break between two Chinese characters in their text (it would show as a space)', () => {
    const found = pagesIn('zh-cn/').flatMap(({ path, tree }) => {
      const prose = proseOf(tree);
      return [...prose.matchAll(CJK_BREAK)].map(
        (m) => `${path}: ${JSON.stringify(prose.slice(Math.max(0, m.index - 20), m.index + m[0].length + 20))}`,
      );
    });
    expect(found).toEqual([]);
    // The check sees such a break where there is one: in a paragraph, and across an inline element.
    const broken = fromHtml(
      '<p>实现；\n  下面的</p><p>一<em>二\n</em>三</p><pre>中\n文</pre><p>段</p>\n<p>落</p><div style="white-space: pre-line">行\n行</div>',
    );
    expect(proseOf(broken).match(CJK_BREAK)).toEqual(['；\n  下', '二\n三']);
  });
});

describe('the titles and the sidebar', () => {
  const titleOf = (path: string) =>
    textOf(select('head > title', fromHtml(readFileSync(join(site.dist, path), 'utf8'))) as Element);

  it("gives the home page the site's title once, in each language, and other pages theirs before it", () => {
    expect(titleOf('index.html')).toBe('labbook: container internals');
    expect(titleOf('zh-cn/index.html')).toBe('labbook：容器的内部构造');
    expect(titleOf('fixture/index.html')).toBe('Fixture chapter | labbook: container internals');
    expect(titleOf('zh-cn/fixture/index.html')).toMatch(/^\S.* \| labbook：容器的内部构造$/);
  });

  it('builds the glossary, a page without cells, in both languages, after the chapters in the sidebar', () => {
    for (const [prefix, label, chapters] of [
      ['', 'Glossary', 'Chapters'],
      ['zh-cn/', '术语表', '章节'],
    ] as const) {
      const html = readFileSync(join(site.dist, prefix, 'glossary/index.html'), 'utf8');
      const page = fromHtml(html);
      const main = select('main', page) as Element;
      expect(selectAll('h2', main).length, prefix).toBeGreaterThan(0);
      // No cell, so none of what cells bring: figures, Run controls, the live client's words, the table of kernels.
      expect(selectAll('figure.lab-cell, button[data-lab-run], .lab-proven', main), prefix).toEqual([]);
      expect(html, prefix).not.toContain('data-labbook-strings');
      // The sidebar's top level: the start page, the chapters, then the glossary, current here.
      const top = selectAll('ul.top-level > li', page);
      expect(
        top.map((li) => textOf(select('a, summary', li) as Element).trim()),
        prefix,
      ).toEqual([expect.any(String), chapters, label]);
      expect(select('a', top.at(-1) as Element)?.properties, prefix).toMatchObject({
        href: `/${prefix}glossary/`,
        ariaCurrent: 'page',
      });
    }
  });
});

const E2E = hasChromium()
  ? `in headless Chromium (${CHROMIUM})`
  : `in headless Chromium: skipped because ${CHROMIUM} is missing (apt-get install chromium)`;

describe.skipIf(!hasChromium())(E2E, () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof preview>>;
  beforeAll(async () => {
    [browser, server] = await Promise.all([launchChromium(), preview(site)]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });

  async function open(path: string, javaScriptEnabled = true): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + path);
    return { page, errors };
  }

  it('shows recorded outputs and SVG diagrams without JavaScript', async () => {
    const { page } = await open('/fixture/', false);
    await expect(page.locator('[data-cell="hello"] pre.lab-terminal').textContent()).resolves.toContain(
      'labbook-fixture-greeting',
    );
    const diagrams = page.locator('figure.lab-diagram svg[role="img"]:visible');
    expect(await diagrams.count()).toBe(2);
    expect((await diagrams.first().boundingBox())?.height).toBeGreaterThan(20);
    await page.context().close();
    // What a cell changed in the kernel, under its claim: open up to 8 lines, one click away beyond.
    const overlay = (await open('/overlayfs/', false)).page;
    const line = overlay.locator('[data-cell="overlay-original-mount"] .lab-change li:visible');
    expect(await line.textContent()).toBe('+ mount overlay on /tmp/overlay/merge');
    await overlay.context().close();
    const nics = (await open('/virtual-nics/', false)).page;
    const change = nics.locator('[data-cell="bridge-create"] .lab-change');
    expect(await change.locator('summary').textContent()).toMatch(/^What it changed in the kernel \((9|[1-9]\d+)\)$/);
    expect(await change.locator('li:visible').count()).toBe(0);
    await change.locator('summary').click();
    expect(await change.locator('li:visible').first().textContent()).toBe('+ namespace net ns1');
    await nics.context().close();
  });

  it('runs the pages with JavaScript without console errors; Run says how to start a runner', async () => {
    for (const path of [
      '/',
      '/fixture/',
      '/zh-cn/fixture/',
      ...chapterPages().map((p) => p.html.slice(site.dist.length, -'index.html'.length)),
    ]) {
      const { page, errors } = await open(path);
      await page.waitForLoadState('networkidle');
      if (path.includes('fixture')) {
        const hint = page.locator('[data-cell="hello"] .lab-run-hint');
        await expect(hint.isVisible()).resolves.toBe(false);
        await page.locator('[data-cell="hello"] button[data-lab-run]').click();
        await hint.waitFor({ state: 'visible' });
        expect(await hint.textContent()).toContain('sudo npx labbook serve');
      }
      expect(errors, path).toEqual([]);
      await page.context().close();
    }
  });

  it('shows the Chinese page in Chinese', async () => {
    const { page } = await open('/zh-cn/fixture/');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('[data-cell="box-hostname"] summary').textContent()).toContain(
      '已验证：盒子有自己的主机名',
    );
    expect(await page.locator('[data-cell="hello"] button[data-lab-run]').textContent()).toBe('运行');
    await page.context().close();
  });

  it('shows the whole site title in the header, wrapped where it has no room, on a phone and on wider screens', async () => {
    for (const width of [320, 375, 414, 800, 820, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      for (const path of ['/', '/zh-cn/', '/fixture/']) {
        await page.goto(server.url + path);
        // A string: vitest would otherwise rewrite the function it is given.
        const title = (await page.evaluate(`(() => {
          const span = document.querySelector('.site-title span');
          const range = document.createRange();
          range.selectNodeContents(span);
          const box = (r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom });
          // What clips the title: Starlight's .title-wrapper (overflow: clip), the header, the screen.
          return {
            text: span.textContent.trim(),
            lines: [...range.getClientRects()].map(box),
            clip: box(document.querySelector('.title-wrapper').getBoundingClientRect()),
            header: box(document.querySelector('header.header').getBoundingClientRect()),
            search: box(document.querySelector('button[data-open-modal]').getBoundingClientRect()),
            cut: span.scrollWidth > span.clientWidth,
          };
        })()`)) as Record<'lines', DOMRect[]> &
          Record<'clip' | 'header' | 'search', DOMRect> & { text: string; cut: boolean };
        const where = `${path} at ${width} px: "${title.text}" in ${JSON.stringify(title.lines)}`;
        expect(title.text, where).toMatch(/^labbook/);
        expect(title.cut, where).toBe(false);
        for (const line of title.lines) {
          expect(line.left, where).toBeGreaterThanOrEqual(Math.max(title.clip.left, 0) - 0.5);
          expect(line.right, where).toBeLessThanOrEqual(Math.min(title.clip.right, title.search.left, width) + 0.5);
          expect(line.top, where).toBeGreaterThanOrEqual(Math.max(title.clip.top, title.header.top) - 0.5);
          expect(line.bottom, where).toBeLessThanOrEqual(Math.min(title.clip.bottom, title.header.bottom) + 0.5);
        }
        // Wrapped at a space or after its colon, never inside a word: two lines at most.
        expect(title.lines.length, where).toBeLessThanOrEqual(2);
      }
      await context.close();
    }
  });

  it("draws a terminal frame's window dots clear of its title; a data cell's frame has no title", async () => {
    // A terminal frame's title and its dots (Expressive Code's .header::before, placed from its
    // computed style): whether any line of the title's text is drawn over them.
    const overlaps = `[...document.querySelectorAll('.expressive-code .frame.is-terminal')].flatMap((frame) => {
      const header = frame.querySelector('.header');
      const title = header && header.querySelector('.title');
      if (!title || !title.textContent.trim()) return [];
      const cs = getComputedStyle(header);
      const dots = getComputedStyle(header, '::before');
      const h = header.getBoundingClientRect();
      const left = h.left + parseFloat(cs.borderLeftWidth) + parseFloat(dots.left);
      const top = h.top + parseFloat(cs.borderTopWidth) + parseFloat(cs.paddingTop);
      const bottom = h.bottom - parseFloat(cs.borderBottomWidth) - parseFloat(cs.paddingBottom);
      const middle = (top + bottom) / 2;
      const box = { left, right: left + parseFloat(dots.width), top: middle - parseFloat(dots.height) / 2, bottom: middle + parseFloat(dots.height) / 2 };
      const range = document.createRange();
      range.selectNodeContents(title);
      const over = [...range.getClientRects()].some((t) => t.left < box.right && t.right > box.left && t.top < box.bottom && t.bottom > box.top);
      return [{ title: title.textContent.trim(), over }];
    })`;
    const data = chapterPages().flatMap(({ file, html }) =>
      loadChapter(file)
        .cells.filter((c) => c.data && !c.hidden)
        .map((c) => ({ path: html.slice(site.dist.length, -'index.html'.length), id: c.id })),
    );
    expect(data.map((d) => d.id)).toContain('cpu-quota-plot');
    let titled = 0;
    for (const width of [375, 1280]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const path of ['/fixture/', '/zh-cn/fixture/', ...new Set(data.map((d) => d.path))]) {
        await page.goto(server.url + path);
        const frames = (await page.evaluate(overlaps)) as { title: string; over: boolean }[];
        titled += frames.length;
        expect(
          frames.filter((f) => f.over).map((f) => f.title),
          `${path} at ${width} px`,
        ).toEqual([]);
        for (const { id } of data.filter((d) => d.path === path)) {
          const title = page.locator(`figure[data-cell="${id}"] .expressive-code .header .title`);
          expect((await title.allTextContents()).join(''), `${path}: ${id}`).toBe('');
        }
      }
      // The measure finds an overlap where there is one: the fixture's titled frame, its title made long.
      await page.goto(`${server.url}/fixture/`);
      await page.evaluate(
        `document.querySelector('.lab-original .frame.is-terminal .header .title').textContent = '${'a long title '.repeat(12)}'`,
      );
      expect((await page.evaluate(overlaps)) as { over: boolean }[], `at ${width} px`).toEqual([
        expect.objectContaining({ over: true }),
      ]);
      await context.close();
    }
    // The fixture's original block has a short title, in each language, at each width: the check saw titles.
    expect(titled).toBeGreaterThanOrEqual(4);
  });

  it('finds a command of a cell with Pagefind, in both languages', async () => {
    for (const path of ['/fixture/', '/zh-cn/fixture/']) {
      const { page } = await open(path);
      // A string, so that Vite does not rewrite the page's import() as its own.
      const urls = await page.evaluate(`(async () => {
        const pagefind = await import('/pagefind/pagefind.js');
        const { results } = await pagefind.search('labbook-fixture-greeting');
        return Promise.all(results.map(async (r) => (await r.data()).url));
      })()`);
      expect(urls, path).toContain(path);
      await page.context().close();
    }
  });
});
