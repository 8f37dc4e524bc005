/**
 * The tutorial's matrix (src/cells/matrix.ts): its entries, where their recordings go, and
 * which entry's recording a run on a target is compared with. The recorded cgroup layouts are
 * given, so the answers do not depend on the recordings committed today.
 */
import { describe, expect, it } from 'vitest';
import {
  entryToCompare,
  MATRIX,
  type MatrixEntry,
  matrixEntry,
  recordingDir,
  vmImages,
} from '../../src/cells/matrix.ts';

const entry = (name: string) => matrixEntry(name) ?? expect.unreachable(`no entry ${name}`);
/** Recorded layouts by entry name; an entry left out has no recording yet. */
const layouts =
  (byName: Record<string, string>) =>
  (e: MatrixEntry): string | undefined =>
    byName[e.name];
const TODAY = layouts({ local: 'hybrid', 'vm:debian12': 'v2', 'vm:debian13': 'v2' });

describe('the matrix', () => {
  it('is this host, then the Debian 12 and Debian 13 VMs, oldest kernel first', () => {
    expect(MATRIX.map((e) => e.name)).toEqual(['local', 'vm:debian12', 'vm:debian13']);
    expect(entry('local').vm).toBeUndefined();
  });

  it('finds an entry by its name, and nothing by another', () => {
    expect(matrixEntry('vm:debian12')).toBe(MATRIX[1]);
    expect(matrixEntry('debian12')).toBeUndefined();
    expect(matrixEntry('ssh://root@127.0.0.1')).toBeUndefined();
  });

  it('has one VM image per VM entry, with the suite debootstrap installs', () => {
    expect(vmImages()).toEqual([
      { name: 'debian12', suite: 'bookworm', release: 12 },
      { name: 'debian13', suite: 'trixie', release: 13 },
    ]);
  });

  it('keeps each entry’s recordings in a directory named after it, file-safe', () => {
    expect(MATRIX.map(recordingDir)).toEqual(['local', 'vm-debian12', 'vm-debian13']);
    expect(recordingDir({ name: 'ssh://root@[::1]:22', title: '' })).toBe('ssh-root-1-22');
  });
});

describe('entryToCompare', () => {
  it('compares an entry with its own recording when it has the cgroup layout recorded there', () => {
    expect(entryToCompare('local', 'hybrid', TODAY)).toEqual({ entry: entry('local') });
    expect(entryToCompare('vm:debian12', 'v2', TODAY)).toEqual({ entry: entry('vm:debian12') });
    expect(entryToCompare('vm:debian13', 'v2', TODAY)).toEqual({ entry: entry('vm:debian13') });
  });

  it('compares an entry that has no recording yet with its own (the run will be its first)', () => {
    const noneOnDebian13 = layouts({ local: 'hybrid', 'vm:debian12': 'v2' });
    expect(entryToCompare('vm:debian13', 'v1', noneOnDebian13)).toEqual({ entry: entry('vm:debian13') });
    expect(entryToCompare('local', 'v2', layouts({}))).toEqual({ entry: entry('local') });
  });

  it('compares an entry whose layout is not the one recorded there with the newest entry that has it, and says so', () => {
    expect(entryToCompare('local', 'v2', TODAY)).toEqual({
      entry: entry('vm:debian13'),
      why: 'local has cgroup v2, not hybrid as recorded there: compared with vm:debian13, whose cgroup layout (v2) it has',
    });
  });

  it('compares a v2 target outside the matrix with the newest v2 entry, and says so', () => {
    expect(entryToCompare('ssh://root@lima', 'v2', TODAY)).toEqual({
      entry: entry('vm:debian13'),
      why: 'ssh://root@lima is not in the matrix: compared with vm:debian13, whose cgroup layout (v2) it has',
    });
  });

  it('passes over entries without a recording when it looks for the layout', () => {
    const noneOnDebian13 = layouts({ local: 'hybrid', 'vm:debian12': 'v2' });
    expect(entryToCompare('ssh://root@lima', 'v2', noneOnDebian13)).toEqual({
      entry: entry('vm:debian12'),
      why: 'ssh://root@lima is not in the matrix: compared with vm:debian12, whose cgroup layout (v2) it has',
    });
    expect(entryToCompare('ssh://root@lima', 'hybrid', TODAY).entry).toBe(entry('local'));
  });

  it('compares a target whose layout no entry has with the first entry, and says so', () => {
    expect(entryToCompare('ssh://root@old', 'v1', TODAY)).toEqual({
      entry: entry('local'),
      why: 'ssh://root@old is not in the matrix: no entry has its cgroup layout (v1): compared with local',
    });
    expect(entryToCompare('vm:debian12', 'v1', TODAY)).toEqual({
      entry: entry('local'),
      why: 'vm:debian12 has cgroup v1, not v2 as recorded there: no entry has its cgroup layout (v1): compared with local',
    });
  });
});
