/**
 * The engine for real: fixture chapters run in labs on this kernel.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { Lab } from '../../runner/lab.ts';
import { LOCAL } from '../../runner/target.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import type { Recording } from '../../src/cells/recording.ts';
import { differences, labLeftovers, SHARED, snapshot } from '../host-state.ts';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
/** A process that still runs (a zombie waiting for its parent does not). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
const byId = (r: Recording) => Object.fromEntries(r.cells.map((c) => [c.id, c]));

describe('a chapter run in a lab', () => {
  let run: ReturnType<typeof byId>;
  let recording: Recording;
  beforeAll(async () => {
    recording = await runChapter(loadChapter(fixture('basic.md')), 'basic', { target: LOCAL });
    run = byId(recording);
  });

  it('keeps variables, the working directory and functions from cell to cell', () => {
    expect(run['state-persists']).toMatchObject({ status: 'passed', output: 'hello from /var/tmp\r\n' });
    expect(run['functions-persist']?.output).toBe('QUIET\r\n');
  });

  it('compares exit statuses with the expected one', () => {
    expect(run['nonzero-exit']).toMatchObject({ status: 'passed', exitCode: 3, output: 'about to fail\r\n' });
    expect(run['any-exit']).toMatchObject({ status: 'passed', exitCode: 1 });
  });

  it('ends a cell, not its session, at a top-level exit', () => {
    expect(run['exit-ends-cell']).toMatchObject({ status: 'passed', exitCode: 4, output: 'before exit\r\n' });
    expect(run['after-exit']).toMatchObject({
      status: 'passed',
      output: "a subshell's exit: 5\r\nthe shell went on: kept=yes\r\n",
    });
  });

  it('keeps output that does not end in a newline', () => {
    expect(run['no-newline']?.output).toBe('no newline at the end');
  });

  it('runs a named session in its own namespaces, visible from the lab session', () => {
    expect(run['container-pid-1']).toMatchObject({ status: 'passed', output: 'PID 1 on box\r\n' });
    expect(run['container-seen-from-host']).toMatchObject({ status: 'passed' });
    expect(run['container-seen-from-host']?.output).toMatch(/^NSpid:\t\d+\t1\r\n$/);
  });

  it('skips a cell whose requirement the host lacks, with the reason', () => {
    const probe = run['needs-ipvlan'];
    if (existsSync('/sys/module/ipvlan')) expect(probe?.status).toBe('passed');
    else expect(probe).toMatchObject({ status: 'skipped', missing: 'ipvlan' });
  });

  it('stamps the recording with the environment', () => {
    expect(recording.environment).toMatchObject({ target: 'local', cgroup: expect.stringMatching(/v1|hybrid|v2/) });
    expect(recording.environment.kernel).toMatch(/^\d+\.\d+/);
  });
});

describe('a cell that ends the lab', () => {
  it('is an error saying so, and the cells after it are not run, with the reason', async () => {
    const run = byId(await runChapter(loadChapter(fixture('lab-ends.md')), 'lab-ends', { target: LOCAL }));
    expect(run.before).toMatchObject({ status: 'passed' });
    expect(run['kills-the-lab']).toMatchObject({
      status: 'error',
      sessionEnded: 'lab',
    });
    expect(run.after).toMatchObject({
      status: 'error',
      labEndedIn: 'kills-the-lab',
    });
  });
});

describe('timeouts', () => {
  it('interrupt the cell, then kill its process group, and the session goes on', async () => {
    const started = performance.now();
    const run = byId(await runChapter(loadChapter(fixture('timeout.md')), 'timeout', { target: LOCAL }));
    expect(run.sleeps).toMatchObject({ status: 'timed-out', timeoutMs: 2000, exitCode: null });
    expect(run.sleeps?.durationMs).toBeGreaterThanOrEqual(2000);
    expect(run.sleeps?.durationMs).toBeLessThan(2500);
    expect(run['still-works']).toMatchObject({ status: 'passed', output: 'alive\r\n' });
    // Ctrl-C is ignored there: SIGTERM to the process group ends it a grace period later.
    expect(run['ignores-sigint']).toMatchObject({ status: 'timed-out' });
    expect(run['after-sigterm']).toMatchObject({ status: 'passed' });
    expect(performance.now() - started).toBeLessThan(8000);
  });
});

describe('memory', () => {
  it("is limited to half the target's: a runaway cell meets the lab's limit, not the machine's OOM killer", async () => {
    const lab = await Lab.create(LOCAL);
    try {
      const r = await lab.shell.run(
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max 2>/dev/null',
        {
          timeoutMs: 5000,
        },
      );
      const total = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) * 1024;
      const limit = Number(r.output.trim().split(/\s+/)[0]);
      // The kernel rounds the limit down to a whole page.
      expect(Math.abs(limit - total / 2)).toBeLessThan(8192);
    } finally {
      await lab.close();
    }
  });
});

describe('output', () => {
  it('is capped per cell, and the rest is counted', async () => {
    const lab = await Lab.create(LOCAL);
    try {
      const r = await lab.shell.run('head -c 3000000 /dev/zero | tr "\\0" x', {
        timeoutMs: 20_000,
        maxOutputBytes: 1 << 20,
      });
      expect(r.outcome).toBe('ended');
      expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(1 << 20);
      expect(Buffer.byteLength(r.output) + r.droppedBytes).toBe(3_000_000);
    } finally {
      await lab.close();
    }
  });
});

describe('the host', () => {
  it('is unchanged after a lab that made links, namespaces, mounts, cgroups and processes', async () => {
    const before = snapshot();
    const lab = await Lab.create(LOCAL);
    const name = lab.name;
    await lab.shell.run(
      'ip link add v0 type veth peer name v1; ip netns add ns1; mount -t tmpfs t /mnt; mkdir /sys/fs/cgroup/cpu/docker; sleep 1000 &',
      {
        timeoutMs: 5000,
      },
    );
    expect(existsSync(`/sys/fs/cgroup/cpu/${name}/docker`)).toBe(true);
    await lab.close();
    expect(labLeftovers(name)).toEqual([]);
    expect([running(lab.pid1), running(lab.shell.pid)]).toEqual([false, false]);
    expect(differences(before, snapshot(), SHARED)).toEqual([]);
  });

  it('is unchanged after the runner is killed mid-cell and the next start sweeps', async () => {
    const before = snapshot();
    const child = spawn(process.execPath, [fixture('crash.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [name] = (await once(child.stdout, 'data')) as [Buffer];
    const lab = name.toString().trim();
    expect(lab).toMatch(/^labbook-\d+$/);
    expect(existsSync(`/sys/fs/cgroup/memory/${lab}/docker`)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    // The PTY closed: the lab's session leader got SIGHUP and took the lab with it.
    await expect.poll(() => labLeftovers(lab).filter((l) => l.startsWith('process')), { timeout: 5000 }).toEqual([]);
    expect(labLeftovers(lab)).not.toEqual([]);
    execFileSync('bash', [new URL('../../runner/shell/lab-sweep.sh', import.meta.url).pathname]);
    expect(labLeftovers(lab)).toEqual([]);
    expect(differences(before, snapshot(), SHARED)).toEqual([]);
  });
});
