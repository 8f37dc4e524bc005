/**
 * `labbook export --asciicast`: a chapter recorded for real, then written as asciicast v2, which
 * Debian's asciinema 2.2 plays in a terminal, and as v3, which the asciinema-player npm package
 * plays in Chromium, reaching each cell's marker. The recording keeps when output came.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../../src/site/chromium.ts';

const labbook = new URL('../../runner/bin/labbook.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'labbook-export-'));
const chapter = join(dir, 'basic.md');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, NO_COLOR: '1', npm_config_user_agent: '' };
const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, [labbook, ...args], { env });

beforeAll(async () => {
  copyFileSync(new URL('../fixtures/basic.md', import.meta.url), chapter);
  await cli('record', chapter);
}, 120_000);

describe('labbook export --asciicast', () => {
  it('records when each piece of output came', () => {
    const { cells } = JSON.parse(readFileSync(join(dir, 'basic.recording.json'), 'utf8'));
    const state = cells.find((c: { id: string }) => c.id === 'state-persists');
    expect(state.timing).toMatch(/^\d+:\d+$/);
    expect(Number(state.timing.split(':')[1])).toBe(state.output.length);
  });

  it('writes v2, which asciinema 2.2 plays in a terminal', async () => {
    const cast = join(dir, 'basic.cast');
    await cli('export', chapter, '--asciicast', '--output', cast);
    expect(JSON.parse(readFileSync(cast, 'utf8').split('\n')[0] as string)).toMatchObject({ version: 2, width: 100 });
    // asciinema plays to a terminal: script gives it one.
    const played = await run('script', ['-qec', `asciinema play -s 20 -i 0.05 ${cast}`, '/dev/null'], {
      timeout: 60_000,
    });
    expect(played.stdout).toContain('hello from /var/tmp');
    expect(played.stdout).toContain('no newline at the end');
  }, 90_000);

  it('writes v3 on stdout, which asciinema-player plays in Chromium, reaching each cell', async (ctx) => {
    if (!hasChromium()) ctx.skip();
    const { stdout: cast } = await cli('export', chapter, '--asciicast=v3');
    expect(cast.split('\n').at(-2)).toMatch(/^\[[\d.]+,"x","0"\]$/);
    const player = dirname(
      createRequire(import.meta.url).resolve('asciinema-player/dist/bundle/asciinema-player.min.js'),
    );
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<div id="player"></div>');
      await page.addStyleTag({ path: join(player, 'asciinema-player.css') });
      await page.addScriptTag({ path: join(player, 'asciinema-player.min.js') });
      await page.evaluate((data) => {
        type Player = { addEventListener(event: 'marker', on: (e: { label: string }) => void): void };
        const w = window as unknown as {
          markers: string[];
          AsciinemaPlayer: { create(src: { data: string }, el: HTMLElement | null, opts: object): Player };
        };
        w.markers = [];
        const p = w.AsciinemaPlayer.create({ data }, document.getElementById('player'), {
          autoPlay: true,
          speed: 20,
          idleTimeLimit: 0.05,
        });
        p.addEventListener('marker', ({ label }) => w.markers.push(label));
      }, cast);
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { markers: string[] }).markers), { timeout: 30_000 })
        .toContain('container-seen-from-host: exit 0');
      const markers = await page.evaluate(() => (window as unknown as { markers: string[] }).markers);
      expect(markers.slice(0, 2)).toEqual(['state-persists: exit 0', 'functions-persist: exit 0']);
      expect(await page.locator('#player').textContent()).toMatch(/PID 1 on box|lab session|NSpid/);
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('says what to do when there is no recording, and refuses a format it does not know', async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => expect.unreachable(),
        (e: { code: number; stderr: string }) => e,
      );
    const none = await err(cli('export', chapter, '--asciicast', '--target', 'vm:debian13'));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'basic has no recording on vm:debian13: run npx labbook record basic --target vm:debian13',
    );
    const bad = await err(cli('export', chapter, '--asciicast=v9'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--asciicast=v9: give v2 or v3');
  });
});
