/** The table `labbook check` prints for each target (runner/commands/progress.ts). */
import { describe, expect, it } from 'vitest';
import { tally, tallyTable } from '../../runner/commands/progress.ts';
import type { CellRecording, Recording } from '../../src/cells/recording.ts';

const cell = (id: string, status: CellRecording['status']): CellRecording => ({
  id,
  hash: 'h',
  exitCode: status === 'passed' ? 0 : null,
  durationMs: 1,
  output: '',
  droppedBytes: 0,
  status,
});
const run = (...statuses: CellRecording['status'][]): Recording => ({
  version: 1,
  chapter: 'x',
  recordedAt: '2026-12-02T00:00:00.000Z',
  environment: {
    target: 'local',
    kernel: 'k',
    arch: 'x86_64',
    distro: 'd',
    iproute2: 'i',
    utilLinux: 'u',
    cgroup: 'v2',
  },
  cells: statuses.map((s, i) => cell(`c${i}`, s)),
});

describe('tally and tallyTable', () => {
  it('counts failed, timed-out and error cells together, beside passed and skipped', () => {
    expect(tally('cgroup', run('passed', 'skipped', 'failed', 'timed-out', 'error', 'passed'))).toEqual({
      chapter: 'cgroup',
      passed: 2,
      skipped: 1,
      bad: 3,
      of: 6,
    });
  });

  it('prints a Markdown table by chapter name, with the sum last', () => {
    const rows = [tally('virtual-nics', run('passed', 'skipped')), tally('cgroup', run('passed', 'failed'))];
    expect(tallyTable(rows)).toBe(
      [
        '| chapter | passed | skipped | failed, timed out or error | of |',
        '|---|---|---|---|---|',
        '| cgroup | 1 | 0 | 1 | 2 |',
        '| virtual-nics | 1 | 1 | 0 | 2 |',
        '| **all** | **2** | 1 | 1 | 4 |',
      ].join('\n'),
    );
  });
});
