/**
 * The SSH target against a real sshd on loopback (tests/targets/sshd.ts): the fixture
 * chapters give the same results as a local run, the recording names the target, a wrong
 * host key is refused, a lost connection is reported, and the host is left as it was.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { Lab, sweepStaleLabs } from '../../runner/lab.ts';
import { LOCAL, type Target } from '../../runner/target.ts';
import { parseTarget } from '../../runner/target-parse.ts';
import { normalize } from '../../src/cells/normalize.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import type { Recording } from '../../src/cells/recording.ts';
import {
  differences,
  type HostState,
  labLeftovers,
  labProcessesRunning,
  labsUnder,
  SHARED,
  snapshot,
} from '../host-state.ts';
import { SSHD, type Sshd, startSshd } from './sshd.ts';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const byId = (r: Recording) => Object.fromEntries(r.cells.map((c) => [c.id, c]));
/** What the runner puts on a target, and locally for SSH. */
const leftovers = () => [
  ...readdirSync('/dev/shm').filter((f) => f.startsWith('labbook-')),
  ...readdirSync(tmpdir()).filter((f) => f.startsWith('labbook-ssh-')),
];
/**
 * The fixtures' long sleeps still running in these labs. Only this test's labs: the engine's
 * tests run the same fixtures in labs of their own beside these.
 */
const sleepers = (labs: string[]) => labs.flatMap((lab) => labProcessesRunning(lab, 'sleep 100'));
/** What a run compares: status, exit status and normalised output, per cell. */
const comparable = (r: Recording) =>
  r.cells.map((c) => ({ id: c.id, status: c.status, exitCode: c.exitCode, output: normalize(c.output) }));

describe.skipIf(!existsSync(SSHD))('the ssh:// target', () => {
  let sshd: Sshd;
  let target: Target;
  let before: HostState;
  beforeAll(async () => {
    await sweepStaleLabs();
    before = snapshot();
    sshd = await startSshd();
    target = parseTarget(sshd.url, { identity: sshd.identity, knownHosts: sshd.knownHosts });
  });
  afterAll(async () => {
    await target?.close();
    await sshd?.stop();
  });

  it('runs a chapter with the same results as a local run, and names itself in the recording', async () => {
    const [remote, local] = await Promise.all([
      runChapter(loadChapter(fixture('basic.md')), 'basic', { target }),
      runChapter(loadChapter(fixture('basic.md')), 'basic', { target: LOCAL }),
    ]);
    expect(comparable(remote)).toEqual(comparable(local));
    const run = byId(remote);
    expect(run['state-persists']).toMatchObject({ status: 'passed', output: 'hello from /var/tmp\r\n' });
    expect(run['container-pid-1']).toMatchObject({ status: 'passed', output: 'PID 1 on box\r\n' });
    expect(run['container-seen-from-host']?.output).toMatch(/^NSpid:\t\d+\t1\r\n$/);
    expect(run['needs-ipvlan']?.status).toBe(byId(local)['needs-ipvlan']?.status);
    expect(remote.environment).toMatchObject({ target: sshd.url, kernel: local.environment.kernel });
    expect(remote.environment.distro).toBe(local.environment.distro);
  });

  it('times a cell out, kills its process group through the connection, and goes on', async () => {
    const started = performance.now();
    // The run's lab, seen while it runs: the lab that the sshd's session started.
    const labs = new Set<string>();
    const sampler = setInterval(() => {
      for (const lab of labsUnder(sshd.pid)) labs.add(lab);
    }, 50);
    const recording = await runChapter(loadChapter(fixture('timeout.md')), 'timeout', { target }).finally(() =>
      clearInterval(sampler),
    );
    const run = byId(recording);
    expect(run.sleeps).toMatchObject({ status: 'timed-out', timeoutMs: 2000, exitCode: null });
    expect(run.sleeps?.durationMs).toBeGreaterThanOrEqual(2000);
    expect(run.sleeps?.durationMs).toBeLessThan(2600);
    expect(run['still-works']).toMatchObject({ status: 'passed', output: 'alive\r\n' });
    expect(run['ignores-sigint']).toMatchObject({ status: 'timed-out' });
    expect(run['after-sigterm']).toMatchObject({ status: 'passed' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(labs.size).toBe(1);
    expect(sleepers([...labs])).toEqual([]);
  });

  it('reuses one connection: a cell costs milliseconds, not a new login', async () => {
    const lab = await Lab.create(target);
    try {
      const t = performance.now();
      for (let i = 0; i < 20; i++) await lab.shell.run('true', { timeoutMs: 5000 });
      expect((performance.now() - t) / 20).toBeLessThan(20);
    } finally {
      await lab.close();
    }
  });

  it('refuses a host whose key does not match known_hosts, saying so', async () => {
    const wrong = parseTarget(sshd.url, { identity: sshd.identity, knownHosts: sshd.wrongKnownHosts });
    await expect(wrong.connect()).rejects.toThrow(/host key does not match the one in .*wrong_known_hosts: refusing/);
    await wrong.close();
  });

  it('reports a connection lost mid-cell, and the next connect sweeps what the lab left', async () => {
    const lost = parseTarget(sshd.url, { identity: sshd.identity, knownHosts: sshd.knownHosts });
    const lab = await Lab.create(lost);
    const name = lab.name;
    const cell = lab.shell.run('mkdir /sys/fs/cgroup/memory/docker 2>/dev/null; sleep 100', { timeoutMs: 30_000 });
    // Mid-cell: its sleep runs (the cgroup it made is there).
    await expect.poll(() => sleepers([name]), { timeout: 15_000, interval: 50 }).toHaveLength(1);
    // The server's side of every connection dies, as when the network goes away.
    execFileSync('pkill', ['-KILL', '-P', String(sshd.pid)]);
    expect((await cell).outcome).toBe('session-ended');
    expect(await lost.checkLost()).toMatch(/lost the connection to the target ssh:\/\/root@127\.0\.0\.1/);
    await lab.close();
    await lost.close();
    // The lab died with its terminal; its cgroups wait for the next connect's sweep.
    await expect.poll(() => sleepers([name]), { timeout: 15_000 }).toEqual([]);
    const again = parseTarget(sshd.url, { identity: sshd.identity, knownHosts: sshd.knownHosts });
    await again.connect();
    await again.close();
    expect(labLeftovers(name)).toEqual([]);
  });

  // Other labs may run beside these tests: their cgroups and processes are not compared here
  // (tests/run.ts compares everything around the whole suite).
  it('leaves the host as it was', async () => {
    await target.close();
    expect(leftovers()).toEqual([]);
    expect(differences(before, snapshot(), SHARED)).toEqual([]);
  });
});

describe('a command target', () => {
  it('runs a chapter through "sh -c" as through any command that opens a shell', async () => {
    const target = parseTarget('sh -c');
    try {
      const recording = await runChapter(loadChapter(fixture('basic.md')), 'basic', { target });
      const run = byId(recording);
      expect(run['state-persists']).toMatchObject({ status: 'passed', output: 'hello from /var/tmp\r\n' });
      expect(run['container-pid-1']).toMatchObject({ status: 'passed', output: 'PID 1 on box\r\n' });
      expect(recording.environment.target).toBe('sh -c');
    } finally {
      await target.close();
    }
    expect(leftovers()).toEqual([]);
  });
});
