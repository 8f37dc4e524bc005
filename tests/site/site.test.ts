/**
 * The built site: every cell of every chapter (the real ones and the fixture) on its
 * English and Chinese page with its recorded output and status; then, in headless
 * Chromium, pages without JavaScript, without console errors, in Chinese, and search.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from 'hast';
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
        // Words only: the terminal expands tabs and wraps lines at 100 columns.
        const expected = words(plainText(rec?.output ?? ''))
          .slice(0, 8)
          .join(' ');
        const shown = words(textOf((select('pre.lab-terminal', figure as Element) ?? figure) as Element)).join(' ');
        if (expected) expect(shown, where).toContain(expected);
        expect(selectAll('button[data-lab-run]', figure as Element), where).toHaveLength(1);
      }
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
