/**
 * Mermaid source to SVG, light and dark, at build time. Mermaid needs a real layout engine
 * (getBBox), so it runs in one long-lived headless Chromium page that loads mermaid once
 * (about 4 s), then about 50 ms per diagram. Results are cached by content hash in
 * src/diagrams/<hash>.json, committed, so a machine without Chromium still builds.
 *
 *   graph LR; a --> b   ->   { light: '<svg id="lab-3f2a...-light" ...>', dark: '<svg ...>' }
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../cells/chapters.ts';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.ts';
import { SiteError } from './errors.ts';

/** LABBOOK_DIAGRAMS moves the cache, for tests that must not write into the project. */
export const DIAGRAMS = process.env.LABBOOK_DIAGRAMS ?? join(ROOT, 'src/diagrams');
const THEMES = { light: 'default', dark: 'dark' } as const;
/** Bump when the render settings change, so that cached SVGs are made again. */
const RENDER_VERSION = '1';

export type Svgs = Record<keyof typeof THEMES, string>;
interface Place {
  file: string;
  line: number;
}

export const diagramHash = (source: string): string =>
  createHash('sha256').update(`${RENDER_VERSION}\n${source}`).digest('hex').slice(0, 16);

/**
 * Renders mermaid in one headless Chromium, started on the first diagram that is not in the
 * cache; one per build or dev server (the site plugin makes it and closes it at the end).
 */
export class MermaidRenderer {
  private browser?: Promise<{ browser: Browser; page: Page }>;
  /** mermaid.initialize is global to the page: one diagram at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private startPage() {
    this.browser ??= (async () => {
      const b = await launchChromium();
      const page = await b.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ path: createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js') });
      return { browser: b, page };
    })();
    return this.browser;
  }

  private async renderInChromium(id: string, source: string): Promise<Svgs> {
    const { page } = await this.startPage();
    const svgs = {} as Svgs;
    for (const [variant, theme] of Object.entries(THEMES) as [keyof Svgs, string][]) {
      svgs[variant] = await page.evaluate(
        async ({ id, source, theme }) => {
          const { mermaid } = globalThis as unknown as {
            mermaid: {
              initialize(c: object): void;
              render(id: string, text: string): Promise<{ svg: string }>;
            };
          };
          mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme });
          return (await mermaid.render(id, source)).svg;
        },
        { id: `${id}-${variant}`, source, theme },
      );
    }
    return svgs;
  }

  /** The light and dark SVG of a diagram: from src/diagrams/ if it is there, else rendered and saved there. */
  async render(source: string, at: Place): Promise<Svgs> {
    const hash = diagramHash(source);
    const cached = join(DIAGRAMS, `${hash}.json`);
    if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Svgs;
    if (!hasChromium()) {
      throw new SiteError(
        at.file,
        at.line,
        `this diagram is new or changed, so src/diagrams/${hash}.json does not exist, and ${CHROMIUM} is missing to render it`,
        "install Debian's chromium (apt-get install chromium), build again and commit src/diagrams/",
      );
    }
    const job = this.queue.then(() => this.renderInChromium(`lab-${hash}`, source));
    this.queue = job.catch(() => undefined);
    let svgs: Svgs;
    try {
      svgs = await job;
    } catch (e) {
      const message = (e as Error).message.split('\n').find((l) => l.trim()) ?? String(e);
      throw new SiteError(
        at.file,
        at.line,
        `mermaid cannot render this diagram: ${message}`,
        'correct the diagram (see https://mermaid.js.org/intro/syntax-reference.html)',
      );
    }
    mkdirSync(DIAGRAMS, { recursive: true });
    writeFileSync(cached, `${JSON.stringify({ source, ...svgs }, null, 1)}\n`);
    return svgs;
  }

  /** Ends the Chromium, if one was started, so that the build can exit. */
  async close(): Promise<void> {
    const started = this.browser;
    this.browser = undefined;
    if (started) await (await started).browser.close();
  }
}
