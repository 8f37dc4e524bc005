/**
 * The kernel matrix on the built site, read from its static HTML, as a reader without
 * JavaScript gets it. The fixture chapter (tests/fixtures/site/matrix.md, in English and
 * Chinese) is recorded on every entry, a cell for each way two kernels' runs compare:
 *
 *   cell           local (6.18, v1)     vm:debian12 (6.1)    vm:debian13 (6.12)
 *   same           passed               same output          same output
 *   volatile       ns inode A           inode B: same        inode C: same
 *   own-volatile   load A (volatile=)   load B: same         load C, 2/97: differs
 *   layout         tmpfs                cgroup2fs: differs   cgroup2fs: differs
 *   needs-ipvlan   skipped              passed (main)        passed: same
 *   status-only    6.18 (compare=status) 6.1: same status    6.12: same status
 *   fails-there    passed               passed: same         failed: differs
 *   stale-there    passed               passed: same         from other code: not recorded
 *   sampled        4 CPUs (data=samples) 2 CPUs: differs     2 CPUs: differs
 *
 * Each cell's lines, the chapter's table, the home page's line per kernel (the copy holds
 * this chapter alone, so the home page speaks of it), and the strict build, which refuses
 * the one stale recording, on the last entry, and nothing else.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/cells/chapters.ts';
import { copyProject, runBuild } from './built-site.ts';

const CHAPTER = join(ROOT, 'tests/fixtures/site/matrix.md');

let root: string;
let strict: ReturnType<typeof runBuild>;
const page = (path: string): Root => fromHtml(readFileSync(join(root, 'dist', path, 'index.html'), 'utf8'));
beforeAll(() => {
  root = copyProject([CHAPTER], { fixture: false });
  const docs = join(root, 'src/content/docs');
  for (const dir of [docs, join(docs, 'zh-cn')]) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'matrix.md')) rmSync(join(dir, f));
  }
  // Strict first: a failed build leaves no site to read.
  strict = runBuild(root);
  const build = runBuild(root, { LABBOOK_MARK_STALE: '1' });
  if (build.status !== 0) throw new Error(`the site build failed:\n${build.output}`);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const figure = (tree: Root, id: string) => select(`figure[data-cell="${id}"]`, tree) as Element;
/** A cell's line for one entry: its verdict and its text. */
function line(tree: Root, id: string, entry: string): { verdict: unknown; text: string; item: Element } {
  const item = select(`.lab-kernels li[data-entry="${entry}"]`, figure(tree, id)) as Element;
  expect(item, `${id} on ${entry}`).toBeDefined();
  return { verdict: item.properties.dataVerdict, text: textOf(item), item };
}

describe('a cell on the matrix, without JavaScript', () => {
  let english: Root;
  beforeAll(() => {
    english = page('matrix');
  });

  it("shows its first entry's run, and a line for each other entry", () => {
    const same = figure(english, 'same');
    expect(same.properties).toMatchObject({ dataEntry: 'local', dataStatus: 'passed' });
    expect(textOf(select('.lab-where', same) as Element)).toContain('Linux 6.18.44-fc-v657 · local');
    expect(selectAll('.lab-kernels li', same).map((li) => li.properties.dataEntry)).toEqual([
      'vm:debian12',
      'vm:debian13',
    ]);
    expect(line(english, 'same', 'vm:debian12').text).toBe('vm:debian12 · Linux 6.1: same output');
    expect(line(english, 'same', 'vm:debian13').text).toBe('vm:debian13 · Linux 6.12: same output');
    expect((select('.lab-kernels', same) as Element).properties.ariaLabel).toBe('Results on the other kernels');
  });

  it("gives each line its entry's recorded status and reason, which the page's Compare button reads", () => {
    expect(line(english, 'same', 'vm:debian12').item.properties).toMatchObject({ dataStatus: 'passed' });
    expect(line(english, 'fails-there', 'vm:debian13').item.properties).toMatchObject({ dataStatus: 'failed' });
    expect(line(english, 'needs-ipvlan', 'local').item.properties).toMatchObject({
      dataStatus: 'skipped',
      dataReason: 'needs ipvlan, but this kernel lacks ipvlan',
    });
    expect(line(english, 'fails-there', 'vm:debian13').item.properties.dataReason).toBeUndefined();
    // Recorded from other code: not recorded, no status.
    expect(line(english, 'stale-there', 'vm:debian13').item.properties.dataStatus).toBeUndefined();
  });

  it('finds runs the same once volatile values are set aside, as labbook check does', () => {
    expect(line(english, 'volatile', 'vm:debian12').verdict).toBe('same');
    expect(line(english, 'volatile', 'vm:debian13').verdict).toBe('same');
    // A cell's own volatile part: the load averages differ, the rest ("1/97") differs on 13.
    expect(line(english, 'own-volatile', 'vm:debian12').verdict).toBe('same');
    expect(line(english, 'own-volatile', 'vm:debian13').verdict).toBe('differs');
    // The page's Compare button reads the pattern from the figure, as it reads compare= and expect=.
    expect(figure(english, 'own-volatile').properties.dataVolatile).toBe('^[0-9.]+ [0-9.]+ [0-9.]+');
    expect(line(english, 'status-only', 'vm:debian12').text).toBe(
      'vm:debian12 · Linux 6.1: same status (output not compared)',
    );
  });

  it('holds the diff of an output that differs in a <details>, in the HTML', () => {
    const { verdict, item } = line(english, 'layout', 'vm:debian12');
    expect(verdict).toBe('differs');
    const details = select('details', item) as Element;
    expect(details.properties.open).toBeUndefined();
    expect(textOf(select('summary', details) as Element)).toBe('vm:debian12 · Linux 6.1: differs');
    expect(textOf(details)).toContain(
      'Lines with - are the output of local, shown above; lines with + are that of vm:debian12:',
    );
    expect(textOf(select('.lab-diff-del', details) as Element)).toBe('-tmpfs');
    expect(textOf(select('.lab-diff-add', details) as Element)).toBe('+cgroup2fs');
  });

  it("holds that kernel's own output after the diff of an output that differs", () => {
    const { item } = line(english, 'layout', 'vm:debian13');
    expect(item.properties.dataStatus).toBe('passed');
    const details = select('details', item) as Element;
    const shown = details.children.filter((c): c is Element => c.type === 'element');
    expect(shown.map((c) => c.tagName)).toEqual(['summary', 'p', 'pre', 'p', 'pre']);
    expect(shown[2]?.properties.className).toEqual(['lab-diff']);
    expect(textOf(shown[3] as Element)).toBe('Its output on vm:debian13:');
    expect(shown[4]?.properties).toMatchObject({
      className: ['lab-terminal'],
      ariaLabel: 'vm:debian13 · Linux 6.12: Recorded output',
    });
    expect(textOf(shown[4] as Element)).toBe('cgroup2fs');
  });

  it("holds a data cell's own snapshot as plain text after its diff, as the figure holds its own", () => {
    const sampled = figure(english, 'sampled');
    expect(textOf(select('.lab-drawing .lab-snapshot pre', sampled) as Element)).toBe(
      'cpus 0 4\ncpus 0.1 4\ncpus 0.2 4',
    );
    const { verdict, item } = line(english, 'sampled', 'vm:debian12');
    expect(verdict).toBe('differs');
    // The diff is of the structures the snapshots are read into.
    expect(textOf(select('.lab-diff', item) as Element)).toMatch(/-\s+\[0\.1, 4\][\s\S]*\+\s+\[0\.1, 2\]/);
    expect(textOf(select('details > p:last-of-type', item) as Element)).toBe('Its output on vm:debian12:');
    expect(textOf(select('.lab-snapshot pre', item) as Element)).toBe('cpus 0 2\ncpus 0.1 2\ncpus 0.2 2');
    expect(select('pre.lab-terminal', item)).toBeUndefined();
  });

  it("shows a status that differs with that kernel's own recorded output", () => {
    const { verdict, item } = line(english, 'fails-there', 'vm:debian13');
    expect(verdict).toBe('differs');
    expect(textOf(select('.lab-status', item) as Element)).toBe('failed');
    expect(textOf(select('.lab-exit', item) as Element)).toContain('exit 1');
    expect(textOf(select('pre.lab-terminal', item) as Element)).toBe('test: missing /sys/fs/cgroup/unified');
    // Its status says it: no second label.
    expect(textOf(item)).not.toContain('Its output on');
    expect(line(english, 'fails-there', 'vm:debian12').verdict).toBe('same');
  });

  it('shows a cell this host skips from the first kernel that ran it, and why the host skipped it', () => {
    const ipvlan = figure(english, 'needs-ipvlan');
    // What the page's Compare button compares with: that run, not the skip.
    expect(ipvlan.properties).toMatchObject({ dataEntry: 'vm:debian12', dataStatus: 'passed' });
    expect((select('.lab-meta .lab-status', ipvlan) as Element).properties.dataStatus).toBe('passed');
    expect(textOf(select('.lab-where', ipvlan) as Element)).toContain(
      'recorded 2026-12-01 · Debian GNU/Linux 12 (bookworm) · Linux 6.1.0-28-amd64 · vm:debian12',
    );
    expect(line(english, 'needs-ipvlan', 'local').text).toBe(
      'local · Linux 6.18: skipped: needs ipvlan, but this kernel lacks ipvlan',
    );
    expect(line(english, 'needs-ipvlan', 'vm:debian13').verdict).toBe('same');
  });

  it('says when a kernel has no recording of the current code', () => {
    expect(line(english, 'stale-there', 'vm:debian13').text).toBe(
      'vm:debian13 · Linux 6.12: not recorded on this kernel',
    );
    expect(line(english, 'stale-there', 'vm:debian12').verdict).toBe('same');
  });

  it('says it in Chinese on the Chinese page', () => {
    const chinese = page('zh-cn/matrix');
    expect(line(chinese, 'same', 'vm:debian12').text).toBe('vm:debian12 · Linux 6.1：输出相同');
    expect((select('.lab-kernels', figure(chinese, 'same')) as Element).properties.ariaLabel).toBe(
      '其他内核上的运行结果',
    );
    expect(line(chinese, 'layout', 'vm:debian13').text).toContain('vm:debian13 · Linux 6.12：有差异');
    expect(line(chinese, 'layout', 'vm:debian13').text).toContain(
      '以 - 开头的行是上方所示 local 的输出，以 + 开头的行是 vm:debian13 的输出：',
    );
    expect(line(chinese, 'layout', 'vm:debian13').text).toContain('它在 vm:debian13 上的输出：cgroup2fs');
    expect(line(chinese, 'status-only', 'vm:debian12').text).toBe('vm:debian12 · Linux 6.1：状态相同（不比较输出）');
    expect(line(chinese, 'needs-ipvlan', 'local').text).toBe(
      'local · Linux 6.18：已跳过（需要 ipvlan，但此内核没有 ipvlan）',
    );
    // The reason the page's Compare button shows is in the page's language too.
    expect(line(chinese, 'needs-ipvlan', 'local').item.properties.dataReason).toBe('需要 ipvlan，但此内核没有 ipvlan');
    expect(line(chinese, 'stale-there', 'vm:debian13').text).toBe('vm:debian13 · Linux 6.12：尚未在此内核上录制');
  });
});

/** The chapter's table: each row's entry, machine and figures. */
function table(tree: Root): { entry: unknown; kernel: string; cells: string[] }[] {
  return selectAll('section.lab-proven tbody tr', tree).map((tr) => ({
    entry: tr.properties.dataEntry,
    kernel: textOf(select('th', tr) as Element),
    cells: selectAll('td', tr).map((td) => textOf(td)),
  }));
}

describe("the chapter's table of kernels", () => {
  it('ends the page, an entry a row: its machine, when, and its cells passed, skipped, failed, not recorded', () => {
    const english = page('matrix');
    const order = selectAll('figure.lab-cell, section.lab-proven', english);
    expect(order.at(-1)?.properties.className).toEqual(['lab-proven']);
    expect(textOf(select('section.lab-proven h2', english) as Element)).toBe('Proven on');
    expect(table(english)).toEqual([
      {
        entry: 'local',
        kernel: 'localLinux 6.18.44-fc-v657 · Debian GNU/Linux 12 (bookworm) · cgroup v1',
        cells: ['2026-11-30', '8', '1', '0', '0'],
      },
      {
        entry: 'vm:debian12',
        kernel: 'vm:debian12Linux 6.1.0-28-amd64 · Debian GNU/Linux 12 (bookworm) · cgroup v2',
        cells: ['2026-12-01', '9', '0', '0', '0'],
      },
      {
        entry: 'vm:debian13',
        kernel: 'vm:debian13Linux 6.12.48-amd64 · Debian GNU/Linux 13 (trixie) · cgroup v2',
        cells: ['2026-12-01', '7', '0', '1', '1'],
      },
    ]);
  });

  it('lists the cells each kernel skipped, and why', () => {
    const english = page('matrix');
    const skipped = selectAll('section.lab-proven details', english);
    expect(skipped.map((d) => d.properties.dataEntry)).toEqual(['local']);
    expect(textOf(select('summary', skipped[0] as Element) as Element)).toBe('local: skipped cells (1) and why');
    expect(textOf(select('li', skipped[0] as Element) as Element)).toBe(
      'needs-ipvlan: needs ipvlan, but this kernel lacks ipvlan',
    );
  });

  it('is on the Chinese page too, in Chinese', () => {
    const chinese = page('zh-cn/matrix');
    expect(textOf(select('section.lab-proven h2', chinese) as Element)).toBe('各内核上的验证结果');
    expect(selectAll('section.lab-proven thead th', chinese).map((th) => textOf(th))).toEqual([
      '内核',
      '录制日期',
      '通过',
      '跳过',
      '失败',
      '未录制',
    ]);
    expect(table(chinese).map((r) => r.cells)).toEqual(table(page('matrix')).map((r) => r.cells));
    const skipped = select('section.lab-proven details', chinese) as Element;
    expect(textOf(select('summary', skipped) as Element)).toBe('local 跳过的 1 个单元格及原因');
    expect(textOf(select('li', skipped) as Element)).toBe('needs-ipvlan：需要 ipvlan，但此内核没有 ipvlan');
  });
});

describe('the home page', () => {
  const lines = (tree: Root) =>
    selectAll('.lab-proven-home li', tree).map((li) => ({
      entry: li.properties.dataEntry,
      proven: li.properties.dataProven,
      text: textOf(li),
    }));

  it('says on which kernels the whole tutorial was last proven, and when', () => {
    expect(lines(page(''))).toEqual([
      {
        entry: 'local',
        proven: 'true',
        text: 'local · Linux 6.18.44-fc-v657 · Debian GNU/Linux 12 (bookworm) · cgroup v1: every cell of every chapter passed or was skipped (8 passed, 1 skipped); recorded on or after 2026-11-30',
      },
      {
        entry: 'vm:debian12',
        proven: 'true',
        text: 'vm:debian12 · Linux 6.1.0-28-amd64 · Debian GNU/Linux 12 (bookworm) · cgroup v2: every cell of every chapter passed or was skipped (9 passed, 0 skipped); recorded on or after 2026-12-01',
      },
      {
        entry: 'vm:debian13',
        proven: 'false',
        text: 'vm:debian13 · Linux 6.12.48-amd64 · Debian GNU/Linux 13 (trixie) · cgroup v2: not proven: 1 failed, 1 not recorded (7 passed, 0 skipped); recorded on or after 2026-12-01',
      },
    ]);
  });

  it('says it in Chinese on the Chinese home page', () => {
    const [local, , last] = lines(page('zh-cn'));
    expect(local?.text).toContain(
      'cgroup v1：所有章节的单元格均已通过或跳过（通过 8 个，跳过 1 个）；均录制于 2026-11-30 及以后',
    );
    expect(last?.text).toBe(
      'vm:debian13 · Linux 6.12.48-amd64 · Debian GNU/Linux 13 (trixie) · cgroup v2：未通过验证：失败 1 个，未录制 1 个（通过 7 个，跳过 0 个）；均录制于 2026-12-01 及以后',
    );
  });
});

describe('the strict build (the published site)', () => {
  it('fails on the stale recording of the last entry, with the command that records it there', () => {
    expect(strict.status, strict.output).not.toBe(0);
    const file = join(root, 'src/content/docs/matrix.md');
    const at =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('id=stale-there')) + 1;
    expect(strict.output).toContain(
      `${file}:${at}: vm:debian13: the recording of the cell "stale-there" is stale: its code changed since it was recorded\n  Fix: run npx labbook record matrix --target vm:debian13`,
    );
    // Nothing else is out of date (each error is printed more than once, by Astro too).
    expect(new Set(strict.output.match(/Fix: run npx labbook record .*/g))).toEqual(
      new Set(['Fix: run npx labbook record matrix --target vm:debian13']),
    );
  });
});
