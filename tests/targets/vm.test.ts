/**
 * `labbook vm` for real: build the Debian image if it is not cached, boot it, run the fixture
 * chapter and the Virtual NICs chapter's ipvlan cells there, power it off. Minutes, not
 * seconds (a 2 to 4 minute build, then about 30 to 60 s to boot without KVM), so it runs only
 * with LABBOOK_VM_TESTS=1.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { parseTarget } from '../../runner/target-parse.ts';
import { runningVm } from '../../runner/vm/state.ts';
import { loadChapter } from '../../src/cells/parse.ts';

const labbook = new URL('../../runner/bin/labbook.js', import.meta.url).pathname;
const cli = (...args: string[]) => promisify(execFile)(process.execPath, [labbook, ...args], { timeout: 600_000 });
const fixture = new URL('../fixtures/basic.md', import.meta.url).pathname;
const enabled = process.env.LABBOOK_VM_TESTS === '1';

describe.skipIf(!enabled)('labbook vm (LABBOOK_VM_TESTS=1: builds and boots a Debian VM, minutes)', () => {
  afterAll(async () => {
    await cli('vm', 'down');
    expect(runningVm()).toBeUndefined();
  }, 120_000);

  it('comes up and prints its target', async () => {
    const { stdout } = await cli('vm', 'up');
    expect(stdout).toMatch(/--target vm/);
    expect(runningVm()).toBeDefined();
  }, 600_000);

  it('runs a chapter on a Debian kernel that has ipvlan, and the recording says where', async () => {
    const target = parseTarget('vm');
    try {
      const recording = await runChapter(loadChapter(fixture), 'basic', { target });
      const run = Object.fromEntries(recording.cells.map((c) => [c.id, c]));
      expect(recording.environment).toMatchObject({ target: 'labbook vm', cgroup: 'v2' });
      expect(recording.environment.distro).toMatch(/Debian GNU\/Linux 12/);
      expect(run['state-persists']).toMatchObject({ status: 'passed' });
      expect(run['container-pid-1']).toMatchObject({ status: 'passed', output: 'PID 1 on box\r\n' });
      // The fixture's cell uses lo as the parent, which ipvlan refuses: executed, not skipped.
      expect(run['needs-ipvlan']?.status).not.toBe('skipped');
    } finally {
      await target.close();
    }
  }, 300_000);
});

describe.skipIf(enabled)('labbook vm', () => {
  it.skip('builds and boots a Debian VM: minutes, so only with LABBOOK_VM_TESTS=1', () => {});
});
