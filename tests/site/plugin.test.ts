/**
 * The site's remark plugin on the fixture chapter (tests/fixtures/site/), through Astro's
 * unified pipeline: one cell of every status, the check, hidden and original blocks, the
 * diagrams, the Chinese page, and authoring errors that must stop the build; and the
 * Starlight plugin that gives the remark plugin its options, strictness among them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnifiedProcessor, type MarkdownProcessor, unified } from '@astrojs/markdown-remark';
import type { HookParameters } from '@astrojs/starlight/types';
import type { AstroIntegration } from 'astro';
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/cells/chapters.ts';
import { MermaidRenderer } from '../../src/site/mermaid-render.ts';
import { isStrict, labbook } from '../../src/site/plugin.ts';
import { remarkLab } from '../../src/site/remark-lab.ts';
import { STRINGS } from '../../src/site/strings.ts';
import { renderFile, renderMarkdown } from './render.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/site/fixture.md');
const FIXTURE_ZH = join(ROOT, 'tests/fixtures/site/zh-cn/fixture.md');

const cell = (tree: Root, id: string) => select(`figure[data-cell="${id}"]`, tree) as Element;
const text = (tree: Root, selector: string) => textOf(select(selector, tree) as Element);

describe('cells on the English page', () => {
  let page: Root;
  beforeAll(async () => {
    page = await renderMarkdown(FIXTURE);
  });

  it('keeps the fence and adds the recorded output, status, exit, duration and where it ran', () => {
    const hello = cell(page, 'hello');
    expect(hello.properties).toMatchObject({ dataChapter: 'fixture', dataCell: 'hello', dataStatus: 'passed' });
    expect(textOf(select('code', hello) as Element).trim()).toBe('echo hello from labbook-fixture-greeting');
    expect(textOf(select('pre.lab-terminal', hello) as Element)).toBe('hello from labbook-fixture-greeting');
    const meta = textOf(select('.lab-meta', hello) as Element);
    expect(meta).toContain('passed');
    expect(meta).toContain('exit 0 · 4 ms');
    expect(meta).toContain('recorded 2026-11-30 · Debian GNU/Linux 12 (bookworm) · Linux 6.1.0-28-amd64 · local');
  });

  it('renders the terminal: \\r progress collapsed, colours kept', () => {
    const out = select('[data-cell="progress"] pre.lab-terminal', page) as Element;
    expect(textOf(out)).toBe('100%\nred');
    expect(select('span[style*="color"]', out)).toBeTruthy();
    expect(text(page, '[data-cell="progress"] .lab-meta')).toContain('1.5 s');
  });

  it('shows every status in words', () => {
    expect(text(page, '[data-cell="fails"] .lab-status')).toBe('failed');
    expect(text(page, '[data-cell="fails"] .lab-exit')).toContain('exit 3');
    expect(text(page, '[data-cell="slow"] .lab-status')).toBe('timed out');
    expect(text(page, '[data-cell="slow"] .lab-exit')).toContain('no exit status');
    expect(text(page, '[data-cell="needs-ipvlan"] .lab-status')).toBe(
      'skipped: needs ipvlan, but this kernel lacks ipvlan',
    );
    expect(text(page, '[data-cell="broken"] .lab-status')).toBe('error: the session "box" ended');
  });

  it('marks cells that are not recorded or whose source changed', () => {
    expect(cell(page, 'unrecorded').properties.dataStatus).toBe('none');
    expect(text(page, '[data-cell="unrecorded"] .lab-meta')).toContain('not recorded');
    expect(cell(page, 'changed').properties.dataStatus).toBe('stale');
    expect(text(page, '[data-cell="changed"] .lab-meta')).toContain('source changed since recording');
  });

  it('reads a check as its claim, code and output one click away', () => {
    const check = cell(page, 'box-hostname');
    expect(textOf(select('details > summary', check) as Element)).toBe('Verified: The box has its own host name');
    expect(select('details code', check)).toBeTruthy();
  });

  it('hides hidden cells, labels original blocks', () => {
    expect(cell(page, 'prep')).toBeUndefined();
    expect(textOf(page)).not.toContain('mkdir -p /tmp/fixture');
    expect(text(page, 'figure.lab-original > figcaption')).toBe('Original (not run here)');
    expect(text(page, 'figure.lab-original code')).toContain('docker run');
  });

  it('gives every cell a Run control whose hint says how to start a runner', () => {
    expect(selectAll('figure[data-cell] button[data-lab-run]', page)).toHaveLength(9);
    expect(text(page, '[data-cell="hello"] .lab-run-hint')).toBe(
      'Start a runner with sudo npx labbook serve and open the link it prints.',
    );
  });

  it('renders diagrams as labelled SVG, light and dark, one beside its cell', () => {
    const diagrams = selectAll('figure.lab-diagram', page);
    expect(diagrams).toHaveLength(2);
    for (const d of diagrams) {
      const svgs = selectAll('svg[role="img"]', d);
      expect(svgs).toHaveLength(2);
      expect(svgs[0]?.properties.ariaLabel).toBe(textOf(select('figcaption', d) as Element));
    }
    expect(select('[data-cell="hello"] .lab-beside > pre.lab-terminal + figure.lab-diagram', page)).toBeTruthy();
  });
});

describe('the Chinese page', () => {
  it('uses the English recording and Chinese words', async () => {
    const page = await renderMarkdown(FIXTURE_ZH);
    expect(cell(page, 'hello').properties).toMatchObject({ dataChapter: 'fixture', dataStatus: 'passed' });
    expect(text(page, '[data-cell="box-hostname"] summary')).toBe('已验证：盒子有自己的主机名');
    expect(text(page, 'figure.lab-original > figcaption')).toBe('原文（此处不运行）');
    expect(text(page, '[data-cell="needs-ipvlan"] .lab-status')).toBe('已跳过（需要 ipvlan，但此内核没有 ipvlan）');
    expect(text(page, '[data-cell="broken"] .lab-status')).toBe('出错（会话 box 已经结束）');
    expect(text(page, '[data-cell="hello"] .lab-run-hint')).toContain('sudo npx labbook serve');
  });
});

describe('authoring errors', () => {
  const render = (markdown: string) => renderMarkdown(FIXTURE, markdown);

  it('fail with the file, line and fix of a bad cell', async () => {
    await expect(render('text\n\n```sh run id=a colour=red\necho\n```\n')).rejects.toThrow(
      /fixture\.md:3: unknown attribute "colour"\n {2}Fix: use one of/,
    );
  });

  it('give the line in the file, below its frontmatter', async () => {
    const text = readFileSync(FIXTURE, 'utf8').replace('```sh run id=fails', '```sh run id=fails timeout=forever');
    const line = text.split('\n').findIndex((l) => l.includes('timeout=forever')) + 1;
    // On disk: Astro gives the plugin the body alone, and the plugin reads the chapter from its file.
    const dir = mkdtempSync(join(tmpdir(), 'labbook-'));
    const file = join(dir, 'bad.md');
    writeFileSync(file, text);
    await expect(renderMarkdown(file)).rejects.toThrow(`bad.md:${line}: timeout=forever must be a number`);
    rmSync(dir, { recursive: true });
  });

  it('report every bad cell of the file together', async () => {
    const bad = '```sh run id=a\nx\n```\n\n```sh run id=a\ny\n```\n\n```sh run id=b session=nope\nz\n```\n';
    await expect(render(bad)).rejects.toThrow(/duplicate cell id "a"[\s\S]*unknown session "nope"/);
  });

  it('require a title on a diagram and a shown cell for beside=', async () => {
    await expect(render('```mermaid\ngraph LR; a-->b\n```\n')).rejects.toThrow(
      /:1: a diagram has no title[\s\S]*Fix: say what it shows/,
    );
    // The fixture's diagram, already in src/diagrams: no Chromium needed.
    await expect(render('```mermaid title="x" beside=nope\nflowchart LR\n  host --> box\n```\n')).rejects.toThrow(
      /beside=nope names no shown cell/,
    );
  });
});

describe('strictness, an option of the remark plugin', () => {
  const STALE =
    /fixture\.md:\d+: local: the recording of the cell "changed" is stale[\s\S]*local: the cell "unrecorded" has no recording/;

  it('strict refuses the stale and the unrecorded cell of the fixture, each with its line and fix', async () => {
    const text = readFileSync(FIXTURE, 'utf8');
    const line = (id: string) => text.split('\n').findIndex((l) => l.includes(`id=${id}`)) + 1;
    const refused = renderMarkdown(FIXTURE, undefined, { strict: true });
    await expect(refused).rejects.toThrow(STALE);
    await expect(refused).rejects.toThrow(
      `fixture.md:${line('changed')}: local: the recording of the cell "changed" is stale`,
    );
    await expect(refused).rejects.toThrow('Fix: run npx labbook record fixture --target local');
  });

  it('not strict, the same page is shown with those cells marked', async () => {
    const page = await renderMarkdown(FIXTURE, undefined, { strict: false });
    expect(cell(page, 'changed').properties.dataStatus).toBe('stale');
    expect(cell(page, 'unrecorded').properties.dataStatus).toBe('none');
  });

  it('is strict for astro build only, unless LABBOOK_MARK_STALE=1', () => {
    expect(isStrict('build', {})).toBe(true);
    expect(isStrict('build', { LABBOOK_MARK_STALE: '1' })).toBe(false);
    expect(isStrict('dev', {})).toBe(false);
    expect(isStrict('sync', {})).toBe(false);
  });
});

describe('the Starlight plugin', () => {
  /** Runs the plugin's config:setup as Starlight would for a command; what it adds and updates. */
  async function setUp(command: 'build' | 'dev') {
    const integrations: AstroIntegration[] = [];
    const middleware: string[] = [];
    let starlight: Record<string, unknown> = {};
    const hook = labbook().hooks['config:setup'] as (o: HookParameters<'config:setup'>) => Promise<void>;
    await hook({
      command,
      config: { title: 'x', customCss: ['./mine.css'] },
      updateConfig: (c: Record<string, unknown>) => {
        starlight = { ...starlight, ...c };
      },
      addIntegration: (i: AstroIntegration) => integrations.push(i),
      addRouteMiddleware: (m: { entrypoint: string }) => middleware.push(m.entrypoint),
    } as unknown as HookParameters<'config:setup'>);
    return { integrations, starlight, middleware };
  }

  /** The markdown processor the plugin's integration makes of a unified one holding another plugin. */
  async function processorOf(integration: AstroIntegration): Promise<MarkdownProcessor> {
    const other = () => () => undefined;
    let markdown: { processor: MarkdownProcessor } | undefined;
    const setup = integration.hooks['astro:config:setup'] as (o: unknown) => void;
    setup({
      config: { markdown: { processor: unified({ remarkPlugins: [other] }) } },
      updateConfig: (c: { markdown: { processor: MarkdownProcessor } }) => {
        markdown = c.markdown;
      },
    });
    const processor = markdown?.processor as MarkdownProcessor;
    expect(isUnifiedProcessor(processor)).toBe(true);
    return processor;
  }

  it('passes a build its strictness as an option, which refuses the stale fixture', async () => {
    const { integrations } = await setUp('build');
    expect(integrations).toHaveLength(1);
    const processor = await processorOf(integrations[0] as AstroIntegration);
    const plugins = (processor.options as { remarkPlugins: unknown[] }).remarkPlugins;
    // Its own plugin first, with its options; the processor's others kept after it.
    expect(plugins[0]).toEqual([remarkLab, { strict: true, strings: STRINGS, mermaid: expect.any(MermaidRenderer) }]);
    expect(plugins).toHaveLength(2);
    const renderer = processor.createRenderer({ syntaxHighlight: false });
    await expect(renderFile(FIXTURE, renderer)).rejects.toThrow(/the cell "changed" is stale/);
  });

  it('passes the dev server a plugin that marks the stale fixture', async () => {
    const processor = await processorOf((await setUp('dev')).integrations[0] as AstroIntegration);
    const page = await renderFile(FIXTURE, processor.createRenderer({ syntaxHighlight: false }));
    expect(cell(page, 'changed').properties.dataStatus).toBe('stale');
  });

  it('refuses a markdown processor that runs no remark plugins, saying how to set one', async () => {
    const [integration] = (await setUp('dev')).integrations;
    const setup = integration?.hooks['astro:config:setup'] as (o: unknown) => void;
    const satteri = { config: { markdown: { processor: { name: 'satteri' } } }, updateConfig: () => {} };
    expect(() => setup(satteri)).toThrow(/markdown: \{ processor: unified\(\) \}/);
  });

  it("adds its components, CSS, Expressive Code plugin and route middleware to the site's own", async () => {
    const { starlight, middleware } = await setUp('build');
    expect(middleware).toEqual([join(ROOT, 'src/site/route-middleware.ts')]);
    expect(Object.keys(starlight.components as object)).toEqual(['MarkdownContent', 'Search']);
    expect(starlight.customCss).toEqual(['./mine.css', join(ROOT, 'src/site/styles/lab.css')]);
    const ec = starlight.expressiveCode as { plugins: { name: string }[] };
    expect(ec.plugins.map((p) => p.name)).toEqual(['labbook-focusable-code']);
  });

  it("injects the site's words into Starlight's translations, in both languages", async () => {
    const injected: Record<string, Record<string, string>> = {};
    const hook = labbook().hooks['i18n:setup'] as (o: HookParameters<'i18n:setup'>) => Promise<void>;
    await hook({ injectTranslations: (t: Record<string, Record<string, string>>) => Object.assign(injected, t) });
    expect(Object.keys(injected)).toEqual(['en', 'zh-CN']);
    expect(injected.en?.['labbook.status.passed']).toBe('passed');
    expect(Object.keys(injected['zh-CN'] ?? {})).toEqual(Object.keys(injected.en ?? {}));
  });
});
