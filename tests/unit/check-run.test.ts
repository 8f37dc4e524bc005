/** checkRun (src/cells/check-run.ts): which entry's recording a run is checked against, its problems and its drift. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRun } from '../../src/cells/check-run.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import type { Environment, Recording } from '../../src/cells/recording.ts';

const dir = mkdtempSync(join(tmpdir(), 'labbook-check-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'x.md');
writeFileSync(file, '# x\n\n```sh run id=hi\necho hi\n```\n');
const { cells } = loadChapter(file);

const env = (target: string, kernel: string, cgroup: Environment['cgroup']): Environment => ({
  target,
  kernel,
  arch: 'x86_64',
  distro: 'Debian',
  iproute2: '6.1',
  utilLinux: '2.38',
  cgroup,
});
const run = (environment: Environment, output: string): Recording => ({
  version: 1,
  chapter: 'x',
  recordedAt: '2026-12-02T00:00:00.000Z',
  environment,
  cells: cells.map((c) => ({
    id: c.id,
    hash: c.hash,
    exitCode: 0,
    durationMs: 1,
    output,
    droppedBytes: 0,
    status: 'passed',
  })),
});
writeFileSync(join(dir, 'x.recording.json'), JSON.stringify(run(env('local', '6.18', 'hybrid'), 'hi\r\n')));
writeFileSync(
  join(dir, 'x.vm-debian13.recording.json'),
  JSON.stringify(run(env('vm:debian13', '6.12', 'v2'), 'hi\r\n')),
);

describe('checkRun', () => {
  it('checks a target outside the matrix against the entry with its cgroup layout, says why, and notices drift', () => {
    const checked = checkRun('ssh://root@lima', file, cells, run(env('ssh://root@lima', '6.8', 'v2'), 'hi\r\n'));
    expect(checked.entry.name).toBe('vm:debian13');
    expect(checked.why).toBe(
      'ssh://root@lima is not in the matrix: compared with vm:debian13, whose cgroup layout (v2) it has',
    );
    expect(checked.problems).toEqual([]);
    expect(checked.drift).toEqual(['recorded on Linux 6.12, this target has 6.8']);
  });

  it('checks an entry against its own recording, and reports what differs from it', () => {
    const checked = checkRun('local', file, cells, run(env('local', '6.18', 'hybrid'), 'ho\r\n'));
    expect(checked.entry.name).toBe('local');
    expect(checked.why).toBeUndefined();
    expect(checked.drift).toEqual([]);
    expect(checked.problems.map((p) => p.message)).toEqual(['hi: the output differs from the recording']);
  });

  it('reports an entry with no recording as such', () => {
    const checked = checkRun('vm:debian12', file, cells, run(env('vm:debian12', '6.1', 'v2'), 'hi\r\n'));
    expect(checked.entry.name).toBe('vm:debian12');
    expect(checked.recording).toBeUndefined();
    expect(checked.problems.map((p) => p.message)).toEqual(['the chapter has no recording']);
  });
});
