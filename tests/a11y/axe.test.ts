/**
 * Accessibility, in headless Chromium with axe-core: every page of the built site in both
 * languages, with JavaScript on and off, has no violation (cells, recorded outputs,
 * diagrams, checks); nor has a chapter page with its live terminal after a real run. A
 * keyboard alone reaches a Run button, runs the cell and gets its result announced.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Runner, startServe } from '../../bench/pages.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../../src/site/chromium.ts';
import { type BuiltSite, buildSite, preview } from '../site/built-site.ts';

const LIVE = new URL('../fixtures/live.md', import.meta.url).pathname;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's violations on the page as it is now, one line each with where. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const found = (await page.evaluate(
    // A string: vitest would otherwise rewrite the function it is given.
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as Violation[];
  return found.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const A11Y = hasChromium()
  ? `accessibility in headless Chromium (${CHROMIUM})`
  : `accessibility: skipped because ${CHROMIUM} is missing (apt-get install chromium)`;

describe.skipIf(!hasChromium())(A11Y, () => {
  let site: BuiltSite;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof preview>>;
  let runner: Runner;
  beforeAll(async () => {
    site = buildSite([LIVE]);
    [browser, server] = await Promise.all([launchChromium(), preview(site)]);
    runner = await startServe(join(site.root, 'src/content/docs/live.md'), server.url);
  }, 300_000);
  afterAll(async () => {
    await runner?.stop();
    await browser?.close();
    server?.stop();
    if (site) rmSync(site.root, { recursive: true, force: true });
  });

  /** Every page of the build, as a path: both languages, the chapters, the start page, 404. */
  function paths(): string[] {
    return readdirSync(site.dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.html'))
      .map((f) => `/${f.replace(/index\.html$/, '')}`)
      .sort();
  }

  /** Opens every page of the build in a new context and collects what `check` finds on each. */
  async function everyPage(
    options: { colorScheme?: 'light' | 'dark'; withoutScripts?: boolean },
    check: (page: Page) => Promise<string[]>,
  ): Promise<string[]> {
    const context = await browser.newContext({ colorScheme: options.colorScheme });
    if (options.withoutScripts) await withoutPageScripts(context);
    const found: string[] = [];
    for (const path of paths()) {
      const page = await context.newPage();
      await page.goto(server.url + path);
      for (const problem of await check(page)) found.push(`${path}: ${problem}`);
      await page.close();
    }
    await context.close();
    return found;
  }

  it('builds pages in both languages to check', () => {
    expect(paths()).toEqual(expect.arrayContaining(['/', '/zh-cn/', '/live/', '/zh-cn/fixture/', '/namespace/']));
  });

  /**
   * A context whose pages run none of their own scripts: each page's HTML arrives without its
   * <script> elements. (A context with JavaScript disabled would stop axe itself: its timers
   * never fire. The site has no <noscript> content, so the pages are the same otherwise.)
   */
  async function withoutPageScripts(context: BrowserContext): Promise<void> {
    await context.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      const html = await response.text();
      expect(html).not.toContain('<noscript');
      await route.fulfill({ response, body: html.replace(/<script\b[\s\S]*?<\/script>/gi, '') });
    });
  }

  // Without JavaScript the page keeps the dark theme of its HTML; with it, the reader's.
  const modes = [
    { javaScriptEnabled: true, colorScheme: 'light' },
    { javaScriptEnabled: true, colorScheme: 'dark' },
    { javaScriptEnabled: false, colorScheme: 'light' },
  ] as const;
  for (const { javaScriptEnabled, colorScheme } of modes) {
    const mode = javaScriptEnabled ? `JavaScript on, ${colorScheme} theme` : 'JavaScript off';
    it(`finds no violation on any page with ${mode}`, async () => {
      const found = await everyPage({ colorScheme, withoutScripts: !javaScriptEnabled }, async (page) => {
        // Checks fold their output into <details>: open them, so that what they hold is checked too.
        await page.locator('details:not([open]) > summary').evaluateAll((all) => {
          for (const s of all) s.parentElement?.setAttribute('open', '');
        });
        return violations(page);
      });
      expect(found).toEqual([]);
    }, 300_000);
  }

  it('gives every diagram and drawing a text alternative', async () => {
    const missing = await everyPage({}, (page) =>
      page
        .locator('figure svg[role="img"]')
        .evaluateAll((all) =>
          all
            .filter((svg) => !(svg.getAttribute('aria-label') ?? svg.querySelector('title')?.textContent ?? '').trim())
            .map((svg) => `no text alternative: ${svg.closest('figure')?.className}`),
        ),
    );
    expect(missing).toEqual([]);
  }, 120_000);

  it('runs a cell with the keyboard alone, announces its result, and the live terminal has no violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // The link `labbook serve` prints, opened on the chapter's page.
    await page.goto(`${server.url}/live/#runner=127.0.0.1:${runner.port}&token=${runner.token}`);
    const figure = page.locator('figure[data-cell="builtin"]');
    const run = figure.locator('button[data-lab-run]');
    // Tab from the top of the page until the Run button of that cell has the focus.
    let focused = false;
    for (let i = 0; i < 300 && !focused; i++) {
      await page.keyboard.press('Tab');
      focused = await run.evaluate((b) => b === document.activeElement);
    }
    expect(focused, 'Tab reaches the Run button').toBe(true);
    await page.keyboard.press('Enter');
    const status = figure.getByRole('status').filter({ hasText: /exit/ });
    await expect
      .poll(() => figure.locator('.lab-live-status').textContent(), { timeout: 30_000 })
      .toMatch(/^passed · exit 0 · \d+ ms$/);
    expect(await status.count()).toBe(1);
    // What a screen reader reads of the output: xterm's accessibility tree, not its canvas.
    // xterm fills it on a later animation frame: on a busy machine well after the status.
    await expect
      .poll(() => figure.locator('.xterm-accessibility-tree').textContent(), { timeout: 30_000 })
      .toContain('hi');
    expect(await violations(page)).toEqual([]);
    await context.close();
  }, 120_000);
});
