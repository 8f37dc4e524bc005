/**
 * A chapter that is out of date: on the matrix's first entry, one cell recorded from other
 * code (stale) and one never recorded; no recording at all on the other entries; and a
 * translation whose cells differ from the English ones. `astro build` refuses it with each
 * file, line and fix; `astro dev` shows the pages, marked.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSource } from '../../src/cells/parse.ts';
import { serializeRecording } from '../../src/cells/recording.ts';
import { astro, copyProject, runBuild } from './built-site.ts';

const ENGLISH = [
  '---',
  'title: Outdated',
  '---',
  '',
  'Recorded as it is:',
  '',
  '```sh run id=current',
  'echo current',
  '```',
  '',
  'Changed since it was recorded:',
  '',
  '```sh run id=changed',
  'echo new code',
  '```',
  '',
  '```sh run id=never',
  'echo never recorded',
  '```',
  '',
].join('\n');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

// The translation changed a cell's code and lost the last cell.
const CHINESE = ENGLISH.replace('title: Outdated', 'title: 过时')
  .replace('Recorded as it is:', '照原样录制：')
  .replace('echo new code', 'echo 新代码')
  .replace(/```sh run id=never\necho never recorded\n```\n/, '');

const recording = serializeRecording({
  version: 1,
  chapter: 'outdated',
  recordedAt: '2026-11-30T09:00:00.000Z',
  environment: {
    target: 'local',
    kernel: '6.1.0-28-amd64',
    distro: 'Debian GNU/Linux 12 (bookworm)',
    arch: 'x86_64',
    iproute2: 'iproute2-6.1.0',
    utilLinux: 'util-linux 2.38.1',
    cgroup: 'v1',
  },
  cells: [
    {
      id: 'current',
      hash: hashSource('echo current'),
      status: 'passed',
      exitCode: 0,
      durationMs: 1,
      output: 'current\r\n',
      droppedBytes: 0,
    },
    {
      id: 'changed',
      hash: hashSource('echo old code'),
      status: 'passed',
      exitCode: 0,
      durationMs: 1,
      output: 'old code\r\n',
      droppedBytes: 0,
    },
  ],
});

let root: string;
beforeAll(() => {
  root = copyProject();
  const docs = join(root, 'src/content/docs');
  mkdirSync(join(docs, 'zh-cn'), { recursive: true });
  writeFileSync(join(docs, 'outdated.md'), ENGLISH);
  writeFileSync(join(docs, 'zh-cn/outdated.md'), CHINESE);
  writeFileSync(join(root, 'src/content/recordings/local/outdated.json'), recording);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an outdated chapter', () => {
  it('fails astro build with the file, line and fix of each problem', () => {
    const build = runBuild(root);
    expect(build.status, build.output).not.toBe(0);
    const english = join(root, 'src/content/docs/outdated.md');
    const chinese = join(root, 'src/content/docs/zh-cn/outdated.md');
    expect(build.output).toContain(
      `${english}:${lineOf(ENGLISH, 'id=changed')}: local: the recording of the cell "changed" is stale: its code changed since it was recorded\n  Fix: run npx labbook record outdated --target local`,
    );
    expect(build.output).toContain(
      `${english}:${lineOf(ENGLISH, 'id=never')}: local: the cell "never" has no recording\n  Fix: run npx labbook record outdated --target local`,
    );
    // Recorded on the first entry only: the others lack the whole chapter.
    expect(build.output).toContain(
      `${english}:1: vm:debian12: the chapter has no recording\n  Fix: run npx labbook record outdated --target vm:debian12`,
    );
    expect(build.output).toContain(
      `${chinese}:${lineOf(CHINESE, 'id=changed')}: the cell "changed" differs from the source in code`,
    );
    expect(build.output).toContain(
      `${chinese}:${lineOf(CHINESE, 'id=changed')}: the translation lacks the cell "never"`,
    );
    // The recorded, unchanged cell is no problem.
    expect(build.output).not.toMatch(/"current"/);
  }, 300_000);

  it('is shown by astro dev, marked, without the developer toolbar', async () => {
    const dev = await astro(root, 'dev');
    try {
      const english = await (await fetch(`${dev.url}/outdated/`)).text();
      expect(english).toMatch(/data-cell="changed"[^>]*data-status="stale"/);
      expect(english).toMatch(/data-cell="never"[^>]*data-status="none"/);
      // Readers of npm start get the page without Astro's developer toolbar over it.
      expect(english).not.toContain('dev-toolbar');
      const chinese = await (await fetch(`${dev.url}/zh-cn/outdated/`)).text();
      expect(chinese).toContain('class="lab-problems"');
      expect(chinese).toMatch(/the cell (&quot;|")changed(&quot;|") differs from the source in code/);
    } finally {
      dev.stop();
    }
  }, 180_000);
});
