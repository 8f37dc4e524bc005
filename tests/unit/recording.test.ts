/**
 * A chapter's recording (src/cells/recording.ts): what it says when it cannot be read, and how
 * the target a run is on has drifted from the one its recording was made on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  drift,
  type Environment,
  type Recording,
  readRecording,
  serializeRecording,
} from '../../src/cells/recording.ts';

const DEBIAN12: Environment = {
  target: 'vm:debian12',
  kernel: '6.1.0-50-amd64',
  arch: 'x86_64',
  distro: 'Debian GNU/Linux 12 (bookworm)',
  iproute2: '6.1.0',
  utilLinux: '2.38.1',
  cgroup: 'v2',
};

describe('drift', () => {
  it('finds none between a target and itself', () => {
    expect(drift(DEBIAN12, { ...DEBIAN12 })).toEqual([]);
  });

  it('says in a sentence that the kernel changed', () => {
    expect(drift(DEBIAN12, { ...DEBIAN12, kernel: '6.1.0-51-amd64' })).toEqual([
      'recorded on Linux 6.1.0-50-amd64, this target has 6.1.0-51-amd64',
    ]);
  });

  it('says each of kernel, distribution, iproute2 and util-linux that changed, in that order', () => {
    const debian13: Environment = {
      ...DEBIAN12,
      kernel: '6.12.117+deb13-amd64',
      distro: 'Debian GNU/Linux 13 (trixie)',
      iproute2: '6.15.0',
      utilLinux: '2.41.5',
    };
    expect(drift(DEBIAN12, debian13)).toEqual([
      'recorded on Linux 6.1.0-50-amd64, this target has 6.12.117+deb13-amd64',
      'recorded on distribution Debian GNU/Linux 12 (bookworm), this target has Debian GNU/Linux 13 (trixie)',
      'recorded on iproute2 6.1.0, this target has 6.15.0',
      'recorded on util-linux 2.38.1, this target has 2.41.5',
    ]);
  });

  it('does not count where the cells ran, the architecture or the cgroup layout as drift', () => {
    // Another target is another entry (or a comparison that says why); the layout chooses the entry.
    expect(drift(DEBIAN12, { ...DEBIAN12, target: 'ssh://root@lima', arch: 'aarch64', cgroup: 'hybrid' })).toEqual([]);
  });
});

describe('readRecording', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'labbook-recording-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const valid: Recording = {
    version: 1,
    chapter: 'c',
    recordedAt: '2026-12-01T00:00:00.000Z',
    environment: DEBIAN12,
    cells: [{ id: 'a', hash: '0123', exitCode: 0, durationMs: 3, output: 'hi\r\n', droppedBytes: 0, status: 'passed' }],
  };

  it('reads nothing where there is no recording', () => {
    expect(readRecording(join(scratch, 'absent.json'))).toBeUndefined();
  });

  it('reads what it wrote', () => {
    const path = join(scratch, 'valid.json');
    writeFileSync(path, serializeRecording(valid));
    expect(readRecording(path)).toEqual(valid);
  });

  it('says where an invalid recording is wrong, and how to mend it', () => {
    const path = join(scratch, 'invalid.json');
    const cell = { ...valid.cells[0], status: 'lost' };
    writeFileSync(path, JSON.stringify({ ...valid, cells: [cell] }));
    expect(() => readRecording(path)).toThrow(
      new RegExp(`^${path}: not a valid recording \\(.+ at cells\\.0\\.status\\); re-record it with labbook record$`),
    );
  });
});
