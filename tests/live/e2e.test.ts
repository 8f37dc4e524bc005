/**
 * A learner's path through the live runner, in headless Chromium: open the link that
 * `labbook serve` prints, press Run in the namespace chapter and see live output; the same
 * from a second origin that the runner allows, and a refusal from one it does not; Compare
 * on a runner named after another entry of the matrix, against that entry's recording; the
 * runner killed in the middle of a long cell, and nothing of it left on the host.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { CHROMIUM, hasChromium, launchChromium } from '../../src/site/chromium.ts';
import { labLeftovers } from '../host-state.ts';
import { type BuiltSite, buildSite, preview } from '../site/built-site.ts';
import { localAs, testRunner } from './page-client.ts';

const LIVE = new URL('../fixtures/live.md', import.meta.url).pathname;
const STRUCTURE = new URL('../fixtures/structure.md', import.meta.url).pathname;
/** Recorded on every entry of the matrix, some cells differently on vm:debian13 than on local. */
const MATRIX = new URL('../fixtures/site/matrix.md', import.meta.url).pathname;
const labbook = new URL('../../runner/bin/labbook.js', import.meta.url).pathname;

interface Runner {
  child: ChildProcess;
  links: string[];
}

/** `labbook serve` as a user starts it; resolves with the links it prints. */
async function startRunner(site: BuiltSite, origin: string): Promise<Runner> {
  const docs = join(site.root, 'src/content/docs');
  const child = spawn(
    process.execPath,
    [
      labbook,
      'serve',
      ...['namespace', 'virtual-nics', 'live', 'structure'].map((c) => join(docs, `${c}.md`)),
      '--port',
      '0',
      '--allow-origin',
      origin,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    out += chunk.toString();
    if (out.split('\n').length > 2) break;
  }
  return { child, links: [...out.matchAll(/(http\S+#runner=\S+)/g)].map((m) => m[1] as string) };
}

/** The runner's labs, by name: its PTYs' session leaders are the labs' owners. */
function labsOf(runner: Runner): string[] {
  return readChildren(runner.child.pid as number).map((p) => `labbook-${p}`);
}

function readChildren(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`)
    .flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
}

describe.skipIf(!hasChromium())(`live runs in headless Chromium (${CHROMIUM})`, () => {
  let site: BuiltSite;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof preview>>;
  let runner: Runner;
  beforeAll(async () => {
    site = buildSite([LIVE, STRUCTURE, MATRIX]);
    [browser, server] = await Promise.all([launchChromium(), preview(site)]);
    runner = await startRunner(site, server.url);
  }, 300_000);
  afterAll(async () => {
    runner?.child.kill('SIGTERM');
    await browser?.close();
    server?.stop();
    if (site) rmSync(site.root, { recursive: true, force: true });
  });

  async function openLink(
    link: string,
    viewport = { width: 1280, height: 720 },
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await (await browser.newContext({ viewport })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(link);
    // The token moved into sessionStorage and out of the address bar.
    expect(page.url()).not.toContain('token=');
    return { page, errors };
  }

  const cell = (page: Page, id: string) => page.locator(`figure[data-cell="${id}"]`);

  it('runs a cell of the namespace chapter from the printed link and shows live output', async () => {
    const link = runner.links.find((l) => l.startsWith(server.url)) ?? '';
    const { page, errors } = await openLink(link);
    await page.goto(`${server.url}/namespace/`);
    await cell(page, 'ns-hello').locator('button[data-lab-run]').click();
    const status = cell(page, 'ns-hello').locator('.lab-live-status');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/^passed · exit 0 · \d+ ms$/);
    expect(await cell(page, 'ns-hello').locator('.xterm-rows').textContent()).toContain('container');
    await cell(page, 'ns-hello').getByRole('button', { name: 'Compare with the recording' }).click();
    expect(await cell(page, 'ns-hello').locator('.lab-live-diff').textContent()).toContain('Same as the recording');
    // Run all above: the cell before it runs too, in the same session, with its own terminal.
    await cell(page, 'ns-hello').getByRole('button', { name: 'Run all above' }).click();
    const above = cell(page, 'ns-kinds').locator('.lab-live-status');
    await expect.poll(() => above.textContent(), { timeout: 20_000 }).toMatch(/^passed · exit 0/);
    const rows = cell(page, 'ns-kinds').locator('.xterm-rows');
    // xterm draws only a terminal in view.
    await rows.scrollIntoViewIfNeeded();
    await expect.poll(() => rows.textContent(), { timeout: 10_000 }).toMatch(/cgroup[\s\S]*pid/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  /** The recorded output and the live terminal of a cell that has run, measured. */
  const geometry = (page: Page, id: string) =>
    cell(page, id).evaluate((figure) => {
      const pre = figure.querySelector('.lab-terminal') as HTMLElement;
      const host = figure.querySelector('.lab-live-term') as HTMLElement;
      const rows = figure.querySelector('.xterm-rows') as HTMLElement;
      const screen = figure.querySelector('.xterm-screen') as HTMLElement;
      // 100 columns of the recording's font, in the recorded output's frame.
      const probe = document.createElement('span');
      probe.textContent = 'x'.repeat(100);
      pre.append(probe);
      const columns = probe.getBoundingClientRect().width;
      probe.remove();
      const px = (v: string) => Number.parseFloat(v);
      const padded = (e: HTMLElement) => px(getComputedStyle(e).paddingLeft) + px(getComputedStyle(e).paddingRight);
      return {
        recorded: { family: getComputedStyle(pre).fontFamily, size: px(getComputedStyle(pre).fontSize) },
        live: { family: getComputedStyle(rows).fontFamily, size: px(getComputedStyle(rows).fontSize) },
        recordedLine: px(getComputedStyle(pre).lineHeight),
        liveLine: (rows.firstElementChild as HTMLElement).getBoundingClientRect().height,
        columns,
        recordedRoom: pre.clientWidth - padded(pre),
        liveColumns: screen.getBoundingClientRect().width,
        liveRoom: host.clientWidth - padded(host),
        liveScrolls:
          getComputedStyle(host).overflowX === 'auto' && host.scrollWidth >= screen.getBoundingClientRect().width,
        recordedScrolls: getComputedStyle(pre).overflowX === 'auto',
        pageOverflow: document.documentElement.scrollWidth - innerWidth,
      };
    });

  it('draws a live run in the font, size and width of the recording: 100 columns that fit a desktop column, and scroll inside their frame on a phone', async () => {
    const link = runner.links.find((l) => l.startsWith(server.url)) ?? '';
    // One run, then the window narrowed: the live terminal follows the recording's font as it shrinks.
    const { page, errors } = await openLink(link, { width: 1440, height: 900 });
    await page.goto(`${server.url}/namespace/`);
    await cell(page, 'ns-hello').locator('button[data-lab-run]').click();
    const status = cell(page, 'ns-hello').locator('.lab-live-status');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/^passed/);
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 375, height: 800 },
    ]) {
      await page.setViewportSize(viewport);
      await expect
        .poll(async () => {
          const { live, recorded } = await geometry(page, 'ns-hello');
          return Math.abs(live.size - recorded.size);
        })
        .toBeLessThan(0.5);
      const g = await geometry(page, 'ns-hello');
      expect(g.live.family, `${viewport.width}px`).toBe(g.recorded.family);
      expect(g.live.size).toBeCloseTo(g.recorded.size, 0);
      // xterm's line height is a multiple of its glyphs' height: about, not exactly, the recording's.
      expect(Math.abs(g.liveLine - g.recordedLine) / g.recordedLine).toBeLessThan(0.15);
      // The live terminal is the recording's 100 columns wide.
      expect(Math.abs(g.liveColumns - g.columns) / g.columns).toBeLessThan(0.02);
      expect(g.pageOverflow, 'the page itself never scrolls sideways').toBeLessThanOrEqual(0);
      if (viewport.width >= 1440) {
        expect(g.columns).toBeLessThanOrEqual(g.recordedRoom);
        expect(g.liveColumns).toBeLessThanOrEqual(g.liveRoom + 1);
      } else {
        expect(g.columns).toBeGreaterThan(g.recordedRoom);
        expect([g.recordedScrolls, g.liveScrolls]).toEqual([true, true]);
      }
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('replays a recorded cell in the live terminal at the pace its output came, loading nothing before the click', async () => {
    // No runner link: a replay needs none.
    const page = await (await browser.newContext()).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(`${server.url}/matrix/`);
    // Nothing of the terminal or the recordings comes with the page: only on the click.
    expect(fetched.filter((u) => /xterm|recordings|\.json/.test(u))).toEqual([]);
    // Recorded as "same on ev" at 0 ms and "ery kernel" 1.5 s later (tests/fixtures/site/matrix.recording.json).
    await cell(page, 'same').locator('button[data-lab-replay]').click();
    const rows = cell(page, 'same').locator('.xterm-rows');
    await expect.poll(() => rows.textContent(), { timeout: 10_000 }).toContain('same on ev');
    const first = Date.now();
    expect(await rows.textContent()).not.toContain('same on every kernel');
    await expect.poll(() => rows.textContent(), { timeout: 10_000 }).toContain('same on every kernel');
    expect(Date.now() - first).toBeGreaterThan(1000);
    const status = cell(page, 'same').locator('.lab-live-status');
    await expect.poll(() => status.textContent()).toMatch(/^passed · exit 0/);
    // Again, and Interrupt between the two pieces: the rest never comes.
    await cell(page, 'same').locator('button[data-lab-replay]').click();
    // The terminal starts afresh: the first piece alone.
    await expect
      .poll(async () => {
        const text = (await rows.textContent()) ?? '';
        return text.includes('same on ev') && !text.includes('same on every kernel');
      })
      .toBe(true);
    await cell(page, 'same').getByRole('button', { name: 'Interrupt (Ctrl-C)' }).click();
    await expect.poll(() => status.textContent()).toBe('replay stopped');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await rows.textContent()).not.toContain('same on every kernel');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows what a live run changed in the kernel, and verifies a claim about it, when the reader asks', async () => {
    const link = runner.links.find((l) => l.startsWith(server.url)) ?? '';
    const { page, errors } = await openLink(link);
    await page.goto(`${server.url}/virtual-nics/`);
    const bridge = cell(page, 'bridge-create');
    await bridge.locator('summary.lab-claim').click();
    // A check whose claim is about the change asks for it unless the reader unticks it.
    const ask = bridge.locator('input[data-lab-change]');
    expect(await ask.isChecked()).toBe(true);
    await bridge.locator('button[data-lab-run]').click();
    const live = bridge.locator('.lab-live .lab-change li');
    await expect.poll(() => live.count(), { timeout: 30_000 }).toBeGreaterThan(6);
    expect(await live.first().textContent()).toBe('+ namespace net ns1');
    await bridge.getByRole('button', { name: 'Compare with the recording' }).click();
    expect(await bridge.locator('.lab-live-diff').textContent()).toContain('Same as the recording');
    // Unticked, the next run takes no snapshot: the claim about the change cannot be verified.
    await ask.uncheck();
    await bridge.getByRole('button', { name: 'Reset session' }).click();
    await bridge.locator('button[data-lab-run]').click();
    // The new run has started once the last comparison is hidden, and ended once it passed.
    const status = bridge.locator('.lab-live-status');
    const diff = bridge.locator('.lab-live-diff');
    await expect
      .poll(async () => `${await diff.isHidden()} ${await status.textContent()}`, { timeout: 30_000 })
      .toMatch(/^true passed/);
    expect(await live.count()).toBe(0);
    await bridge.getByRole('button', { name: 'Compare with the recording' }).click();
    expect(await bridge.locator('.lab-live-diff').textContent()).toContain('this run took no snapshots');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('draws a data cell again from the live run, beside the recorded drawing it replaces', async () => {
    const link = runner.links.find((l) => l.startsWith(server.url)) ?? '';
    const { page, errors } = await openLink(link);
    await page.goto(`${server.url}/structure/`);
    const topology = cell(page, 'topology');
    await expect.poll(() => topology.locator('.lab-drawing svg[role="img"]').count(), { timeout: 10_000 }).toBe(2);
    await topology.locator('summary.lab-claim').click();
    await topology.locator('button[data-lab-run]').click();
    const drawn = topology.locator('.lab-live-drawing svg[role="img"]');
    await expect.poll(() => drawn.count(), { timeout: 30_000 }).toBe(1);
    expect(await drawn.getAttribute('aria-label')).toMatch(/drawn from your run/);
    expect(await drawn.textContent()).toMatch(/veth1[\s\S]*10\.200\.0\.2\/24/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("compares with the recording of the runner's own entry of the matrix, which the page names", async () => {
    // This host's labs, named vm:debian13 in the runner's ready message: the page cannot tell.
    const token = randomBytes(24).toString('hex');
    const chapter = join(site.root, 'src/content/docs/matrix.md');
    const named = await testRunner(loadCatalog([{ slug: 'matrix', file: chapter }]), token, {
      origins: new Set([server.url]),
      target: localAs('vm:debian13'),
    });
    try {
      const { page, errors } = await openLink(`${server.url}/matrix/#runner=127.0.0.1:${named.port}&token=${token}`);
      const compare = async (id: string) => {
        await cell(page, id).locator('button[data-lab-run]').click();
        const status = cell(page, id).locator('.lab-live-status');
        await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/^passed · exit 0 · \d+ ms$/);
        await cell(page, id).getByRole('button', { name: 'Compare with the recording' }).click();
        return cell(page, id).locator('.lab-live-diff');
      };
      // The figure shows local's run, which passed; vm:debian13's failed: compared with that.
      const failsThere = await compare('fails-there');
      expect(await failsThere.locator('.lab-live-against').textContent()).toBe(
        'Compared with the recording on vm:debian13.',
      );
      expect(await failsThere.locator('.lab-diff-del').textContent()).toBe('− failed\n');
      expect(await failsThere.locator('.lab-diff-add').textContent()).toBe('+ passed\n');
      // The same output on every kernel: the same, said of vm:debian13.
      const same = await compare('same');
      expect(await same.locator('.lab-live-against').textContent()).toBe('Compared with the recording on vm:debian13.');
      expect(await same.textContent()).toContain('Same as the recording');
      // vm:debian13 has no recording of this code: nothing to compare with, all of the run is new.
      const stale = await compare('stale-there');
      expect(await stale.locator('.lab-live-against').count()).toBe(0);
      expect(await stale.locator('.lab-diff-add').textContent()).toBe('+ recorded from this code\n');
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      await named.close();
    }
  });

  it('is refused from an origin the runner does not allow', async () => {
    // Same site, other origin: http://localhost:PORT is not http://127.0.0.1:PORT.
    const other = server.url.replace('127.0.0.1', 'localhost');
    const link = (runner.links[0] ?? '').replace(/^http:\/\/127\.0\.0\.1:4321/, other);
    const { page } = await openLink(link);
    await page.goto(`${other}/namespace/`);
    await cell(page, 'ns-hello').locator('button[data-lab-run]').click();
    const status = cell(page, 'ns-hello').locator('.lab-live-status');
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/the runner is gone or restarted/);
    expect(await cell(page, 'ns-hello').locator('.xterm-rows').textContent()).not.toContain('container');
    await page.context().close();
  });

  it('works from a second origin allowed with --allow-origin', async () => {
    const other = server.url.replace('127.0.0.1', 'localhost');
    const second = await startRunner(site, other);
    try {
      const link = second.links.find((l) => l.startsWith(other)) ?? '';
      const { page } = await openLink(link);
      await page.goto(`${other}/namespace/`);
      await cell(page, 'ns-hello').locator('button[data-lab-run]').click();
      const status = cell(page, 'ns-hello').locator('.lab-live-status');
      await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/^passed/);
      await page.context().close();
    } finally {
      second.child.kill('SIGTERM');
    }
  });

  it('says it lost the runner when the runner is killed mid-cell, and the next start leaves nothing', async () => {
    const link = runner.links.find((l) => l.startsWith(server.url)) ?? '';
    const { page } = await openLink(link);
    await page.goto(`${server.url}/live/`);
    await cell(page, 'long').locator('button[data-lab-run]').click();
    await expect
      .poll(() => cell(page, 'long').locator('.xterm-rows').textContent(), { timeout: 20_000 })
      .toContain('started');
    const labs = labsOf(runner);
    expect(labs).not.toEqual([]);
    runner.child.kill('SIGKILL');
    const status = cell(page, 'long').locator('.lab-live-status');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/lost the runner|gone/);
    runner = await startRunner(site, server.url);
    for (const lab of labs) await expect.poll(() => labLeftovers(lab), { timeout: 10_000 }).toEqual([]);
    await page.context().close();
  });
});
