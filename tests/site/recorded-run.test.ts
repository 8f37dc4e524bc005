/**
 * Which recording the page's Compare button compares a live run with
 * (src/live/client/recorded-run.ts), read from the figures the site's remark plugin makes of
 * the matrix fixture (tests/fixtures/site/matrix.md, recorded on every entry): that of the
 * runner's own entry when the figure has a line for it, else the main one. The live test in
 * Chromium, on a runner named after an entry, is tests/live/e2e.test.ts.
 */
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/cells/chapters.ts';
import { compareCell } from '../../src/cells/compare.ts';
import { CELL_STATUSES, type CellStatus } from '../../src/cells/recording.ts';
import { type PageElement, recordedRun } from '../../src/live/client/recorded-run.ts';
import { renderMarkdown } from './render.ts';

const CHAPTER = `${ROOT}/tests/fixtures/site/matrix.md`;

// The browser's list is spelled out in index.ts (it cannot import recording.ts); here the schema's serves.
const STATUSES = Object.fromEntries(CELL_STATUSES.map((s) => [s, true])) as Record<CellStatus, true>;

/** What a browser excludes with it and hast-util-select does not: the other kernels' lines. */
const OUTSIDE_LINES = ':not(.lab-kernels *)';

/** The elements under `e` that `selectors` match, as a browser reads them. */
function matching(selectors: string, e: Element): Element[] {
  if (!selectors.endsWith(OUTSIDE_LINES)) return selectAll(selectors, e);
  const inLines = new Set(selectAll('.lab-kernels *', e));
  return selectAll(selectors.slice(0, -OUTSIDE_LINES.length), e).filter((found) => !inLines.has(found));
}

/** A hast element as the page's DOM gives it. */
function dom(e: Element): PageElement {
  return {
    textContent: textOf(e),
    getAttribute: (name) => {
      const value = e.properties[name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())];
      return value === undefined || value === null ? null : String(value);
    },
    querySelector: (selectors) => {
      const [found] = matching(selectors, e);
      return found ? dom(found) : null;
    },
    querySelectorAll: (selectors) => matching(selectors, e).map(dom),
  };
}

let page: Root;
beforeAll(async () => {
  page = await renderMarkdown(CHAPTER);
});

const figure = (id: string) => dom(select(`figure[data-cell="${id}"]`, page) as Element);
const compared = (id: string, target: string | undefined) => recordedRun(figure(id), target, STATUSES);

describe('the recording a live run is compared with', () => {
  it('is the main one for a runner outside the matrix, on the main entry, or not said yet', () => {
    const main = { entry: 'local', run: { status: 'passed', output: 'tmpfs' } };
    expect(compared('layout', 'ssh://root@box.example')).toEqual(main);
    expect(compared('layout', 'limactl shell "default"')).toEqual(main);
    expect(compared('layout', 'local')).toEqual(main);
    expect(compared('layout', undefined)).toEqual(main);
  });

  it("is the entry's own output when it differs from the main one", () => {
    expect(compared('layout', 'vm:debian13')).toEqual({
      entry: 'vm:debian13',
      run: { status: 'passed', output: 'cgroup2fs' },
    });
    // A data cell's snapshot, unwrapped, as the figure's own raw snapshot.
    expect(compared('sampled', 'vm:debian12')).toEqual({
      entry: 'vm:debian12',
      run: { status: 'passed', output: 'cpus 0 2\ncpus 0.1 2\ncpus 0.2 2' },
    });
    expect(compared('sampled', 'local').run?.output).toBe('cpus 0 4\ncpus 0.1 4\ncpus 0.2 4');
  });

  it("is the entry's own status and output when its status differs", () => {
    expect(compared('fails-there', 'vm:debian13')).toEqual({
      entry: 'vm:debian13',
      run: { status: 'failed', output: 'test: missing /sys/fs/cgroup/unified' },
    });
    expect(compared('fails-there', 'vm:debian12')).toEqual({
      entry: 'vm:debian12',
      run: { status: 'passed', output: '' },
    });
  });

  it('is a skip with its reason on an entry that skipped the cell', () => {
    expect(compared('needs-ipvlan', 'local')).toEqual({
      entry: 'local',
      run: { status: 'skipped', output: '', reason: 'needs ipvlan, but this kernel lacks ipvlan' },
    });
    // The figure shows vm:debian12's run: its own entry, with no line.
    expect(compared('needs-ipvlan', 'vm:debian12')).toEqual({
      entry: 'vm:debian12',
      run: { status: 'passed', output: '' },
    });
  });

  it('is the main one for an entry that recorded the same, and none where the current code is not recorded', () => {
    expect(compared('same', 'vm:debian13')).toEqual({
      entry: 'vm:debian13',
      run: { status: 'passed', output: 'same on every kernel' },
    });
    expect(compared('stale-there', 'vm:debian13')).toEqual({ entry: 'vm:debian13', run: undefined });
  });

  it("makes a run like the entry's recording the same, where the main one differs", () => {
    const layout = { id: 'layout' };
    const fresh = { status: 'passed', output: 'cgroup2fs' } as const;
    expect(compareCell(layout, fresh, compared('layout', 'vm:debian13').run).same).toBe(true);
    expect(compareCell(layout, fresh, compared('layout', 'local').run).same).toBe(false);
    const sampled = { id: 'sampled', data: 'samples' } as const;
    const snapshot = { status: 'passed', output: 'cpus 0 2\r\ncpus 0.1 2\r\ncpus 0.2 2\r\n' } as const;
    expect(compareCell(sampled, snapshot, compared('sampled', 'vm:debian13').run).same).toBe(true);
    expect(compareCell(sampled, snapshot, compared('sampled', 'local').run).same).toBe(false);
  });
});
