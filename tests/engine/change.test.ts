/**
 * What a cell changed in the kernel, for real: a fixture chapter runs in a lab on this kernel,
 * with a snapshot after each cell (runner/shell/lab-state.sh, src/cells/lab-state.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { Lab } from '../../runner/lab.ts';
import { LOCAL } from '../../runner/target.ts';
import { compareRun } from '../../src/cells/compare.ts';
import { type Chapter, loadChapter } from '../../src/cells/parse.ts';
import type { Recording } from '../../src/cells/recording.ts';

const fixture = new URL('../fixtures/change.md', import.meta.url).pathname;

describe('what each cell changed', () => {
  let chapter: Chapter;
  let recording: Recording;
  let change: Record<string, string[] | undefined>;
  beforeAll(async () => {
    chapter = loadChapter(fixture);
    recording = await runChapter(chapter, 'change', { target: LOCAL });
    change = Object.fromEntries(recording.cells.map((c) => [c.id, c.change]));
  });

  it('is empty for a cell that changes nothing', () => {
    expect(change.nothing).toEqual([]);
  });

  it("leaves out the harness's own objects: a session's shell and namespaces", () => {
    // The session's net namespace is named after it, and not listed as a new namespace.
    expect(change['session-starts']).toEqual(['+ link br9 in box (bridge, down)']);
  });

  it('names links with their kind, peer and namespace, and addresses and routes', () => {
    expect(change.pair).toEqual([
      '+ namespace net ns1',
      '+ link veth0 (veth, peer veth1 in ns1, down)',
      '+ link veth1 in ns1 (veth, peer veth0 in lab, down)',
      '+ address 10.250.0.1/24 on veth0',
      // ip netns binds /run/netns on itself (to make it shared); the namespace's file is its line above.
      "+ mount tmpfs on /run/netns (its filesystem's /netns; shared, rw)",
    ]);
    // The other end is down: the route says linkdown, and is there.
    expect(change['wrong-claim']).toEqual([
      '~ link veth0 (up, no carrier)',
      '+ route 10.250.0.0/24 dev veth0 linkdown',
    ]);
  });

  it('sees mounts, cgroups and processes, and their going', () => {
    const lines = change['mount-cgroup-process'] ?? [];
    expect(lines[0]).toBe('+ mount tmpfs on /tmp/m');
    expect(lines[1]).toMatch(/^\+ cgroup demo( \(pids\))?$/);
    expect(lines[2]).toMatch(/^\+ process sleep\(\d+\)$/);
    expect(change.undo).toEqual([
      '- namespace net ns1',
      '- link veth0',
      '- mount tmpfs on /tmp/m',
      '- cgroup demo',
      expect.stringMatching(/^- process sleep\(\d+\)$/),
    ]);
  });

  it('checks a claim on the change: one that holds passes, one that does not fails', () => {
    const problems = compareRun(chapter.cells, recording, recording);
    expect(problems.map((p) => p.message)).toEqual([
      'wrong-claim: "+ link veth9" does not hold; "peer veth0 in lab" does not hold',
    ]);
  });

  it("takes none of the lab's PIDs: the snapshot runs outside its PID namespace", async () => {
    // The PID a new process gets in the lab, before and after two snapshots: the next one, as if
    // nothing had run between (the session forks nothing of its own between cells).
    const lab = await Lab.create(LOCAL);
    try {
      const pid = async () => Number.parseInt((await lab.shell.run("sh -c 'echo $$'", { timeoutMs: 5000 })).output, 10);
      const one = await pid();
      await lab.state();
      await lab.state();
      expect(await pid()).toBe(one + 1);
    } finally {
      await lab.close();
    }
  });

  it('takes no snapshot when asked not to', async () => {
    const off = await runChapter(chapter, 'change', { target: LOCAL, snapshots: false, until: 'pair' });
    expect(off.cells.map((c) => c.change)).toEqual([undefined, undefined, undefined]);
    expect(compareRun(chapter.cells.slice(0, 3), off, off).map((p) => p.message)).toEqual([
      'pair: its change in the kernel was not recorded (this run took no snapshots)',
    ]);
  });
});
