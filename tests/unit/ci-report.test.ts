/** runner/ci-report.ts: the JUnit report a JUnit parser reads, and annotations at the cell's file and line. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, describe, expect, it } from 'vitest';
import { type CheckedChapter, failedCells, githubAnnotations, junitReport } from '../../runner/ci-report.ts';
import { compareRun } from '../../src/cells/compare.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import type { CellRecording, Recording } from '../../src/cells/recording.ts';

const dir = mkdtempSync(join(tmpdir(), 'labbook-ci-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'docs', 'x.md');
// Line 3: same; line 7: changed; line 11: skipped.
const markdown =
  '# x\n\n```sh run id=same\necho same\n```\n\n```sh run id=changed\necho "<b> & 100%"\n```\n\n```sh run id=absent requires=cmd:busybox\nbusybox true\n```\n';
mkdirSync(join(dir, 'docs'));
writeFileSync(file, markdown);
const { cells } = loadChapter(file);

const cell = (id: string, output: string, status: CellRecording['status'] = 'passed'): CellRecording => {
  const c = cells.find((x) => x.id === id);
  if (!c) throw new Error(id);
  return {
    id,
    hash: c.hash,
    exitCode: status === 'skipped' ? null : 0,
    durationMs: status === 'skipped' ? 0 : 250,
    output,
    droppedBytes: 0,
    status,
    ...(status === 'skipped' ? { missing: 'cmd:busybox' } : {}),
  };
};
const recording = (changed: string): Recording => ({
  version: 1,
  chapter: 'x',
  recordedAt: '2026-12-04T00:00:00.000Z',
  environment: {
    target: 'vm:debian13',
    kernel: '6.12',
    arch: 'x86_64',
    distro: 'Debian',
    iproute2: '6.1',
    utilLinux: '2.38',
    cgroup: 'v2',
  },
  cells: [cell('same', 'same\r\n'), cell('changed', changed), cell('absent', '', 'skipped')],
});
const fresh = recording('<b> & 100%\r\nmore\r\n');
const checked: CheckedChapter = {
  spec: 'vm:debian13',
  slug: 'x',
  file,
  cells,
  fresh,
  problems: compareRun(cells, fresh, recording('<b> & 100%\r\n')),
};

describe('junitReport', () => {
  it('writes one test case per cell that a JUnit parser reads: the changed one failed with its diff, the skipped one with its reason', async () => {
    const report = (await parse(junitReport([checked], dir))) as TestSuites;
    const [suite] = report.testsuite ?? [];
    expect(suite?.name).toBe('vm:debian13 x');
    expect([suite?.tests, suite?.failures, suite?.skipped]).toEqual([3, 1, 1]);
    const [same, changed, absent] = suite?.testcase ?? [];
    expect(same?.name).toBe('same');
    expect(same?.failure).toBeUndefined();
    expect(changed?.classname).toBe('vm:debian13.x');
    expect(changed?.failure?.[0]?.message).toMatch(/changed/);
    expect(changed?.failure?.[0]?.inner).toContain('+more');
    expect(changed?.failure?.[0]?.inner).toContain('<b> & 100%');
    expect(absent?.skipped?.[0]?.message).toMatch(/busybox/);
    // file= and line= (outside junit2json's type, which the parser still reads)
    const attrs = changed as unknown as { file: string; line: number };
    expect([attrs.file, attrs.line]).toEqual(['docs/x.md', 7]);
  });

  it('reports a chapter without a recording as a failed test case at line 1', async () => {
    const none = { ...checked, problems: compareRun(cells, fresh, undefined) };
    const report = (await parse(junitReport([none], dir))) as TestSuites;
    const failedCases = (report.testsuite?.[0]?.testcase ?? []).filter((t) => t.failure);
    expect(failedCases.map((t) => t.name)).toEqual(['(recording)']);
  });
});

describe('failedCells', () => {
  it('reads back from the report each failed cell at its file and line, and nothing of a chapter that matches', () => {
    expect(failedCells(junitReport([checked], dir))).toEqual([
      'vm:debian13 x changed at docs/x.md:7: changed: the output differs from the recording',
    ]);
    expect(failedCells(junitReport([{ ...checked, problems: [] }], dir))).toEqual([]);
  });
});

describe('githubAnnotations', () => {
  it('points each problem at its cell in the Markdown file, escaping what the workflow command needs', () => {
    const [line, ...more] = githubAnnotations([checked], dir);
    expect(more).toEqual([]);
    expect(line).toMatch(/^::error file=docs\/x\.md,line=7,title=vm%3Adebian13 x changed::/);
    expect(line).toContain('100%25');
    expect(line).not.toContain('\n');
  });

  it('prints nothing for a chapter that matches', () => {
    expect(githubAnnotations([{ ...checked, problems: [] }], dir)).toEqual([]);
  });
});
