/**
 * What a `--target` value names (runner/target-parse.ts), and the errors of one that names
 * nothing usable. Nothing is connected here.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL, type Target, TargetError } from '../../runner/target.ts';
import { expandTargets, parseTarget } from '../../runner/target-parse.ts';
import { RemoteTarget } from '../../runner/target-remote.ts';

describe('parseTarget', () => {
  it('names this host when it names nothing, or local', () => {
    expect(parseTarget(undefined)).toBe(LOCAL);
    expect(parseTarget('')).toBe(LOCAL);
    expect(parseTarget('local')).toBe(LOCAL);
  });

  it('names an ssh:// target, or refuses its address', () => {
    const target = parseTarget('ssh://root@[::1]:2222', { identity: '/k/id' });
    expect(target).toBeInstanceOf(RemoteTarget);
    expect(target.name).toBe('ssh://root@[::1]:2222');
    expect(() => parseTarget('ssh://root@host:port')).toThrow(
      new TargetError('--target: "ssh://root@host:port" is not ssh://[user@]host[:port]'),
    );
  });

  it('names a command, split as a shell would, or refuses one it cannot split', () => {
    const target = parseTarget(`multipass exec 'my vm' -- bash -c`);
    expect(target).toBeInstanceOf(RemoteTarget);
    expect(target.name).toBe(`multipass exec 'my vm' -- bash -c`);
    const launched = target.launch(['echo', 'a b'], { LANG: 'C.UTF-8' });
    expect([launched.file, ...launched.args]).toEqual([
      ...['multipass', 'exec', 'my vm', '--', 'bash', '-c'],
      "env -i LANG=C.UTF-8 echo 'a b'",
    ]);
    expect(() => parseTarget('  \t')).toThrow(new TargetError('--target: "  \t" names no command'));
    expect(() => parseTarget(`sh -c 'x`)).toThrow(new TargetError(`unbalanced ' in "sh -c 'x"`));
  });

  describe('vm:NAME', () => {
    const saved = process.env.LABBOOK_VM_DIR;
    const root = mkdtempSync(join(tmpdir(), 'labbook-vm-test-'));
    const debian12 = join(root, 'debian12');
    mkdirSync(debian12);
    beforeEach(() => {
      process.env.LABBOOK_VM_DIR = root;
    });
    afterAll(() => {
      if (saved === undefined) delete process.env.LABBOOK_VM_DIR;
      else process.env.LABBOOK_VM_DIR = saved;
      rmSync(root, { recursive: true, force: true });
    });

    /** A process whose command line looks like the QEMU of the VM in `dir`, until `body` ends. */
    async function withFakeQemu(dir: string, body: (pid: number) => void | Promise<void>): Promise<void> {
      const qemu = spawn('bash', ['-c', `exec -a "qemu-system-x86_64 -pidfile ${dir}/qemu.pid" sleep 30`], {
        stdio: 'ignore',
      });
      try {
        const pid = qemu.pid ?? expect.unreachable('no pid');
        // Until bash has exec'd: its own command line names qemu-system too, and exec briefly blanks it.
        for (let i = 0; !readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('qemu-system'); i++) {
          if (i > 500) expect.unreachable('the fake QEMU did not start');
          await new Promise((r) => setTimeout(r, 20));
        }
        await body(pid);
      } finally {
        qemu.kill();
      }
    }
    /** The files a running VM leaves in its directory. */
    function writeRunning(dir: string, pid: number, port: number): void {
      writeFileSync(join(dir, 'qemu.pid'), `${pid}\n`);
      writeFileSync(join(dir, 'port'), `${port}\n`);
      writeFileSync(join(dir, 'known_hosts'), '');
    }
    const ssh = (t: Target) => t.launch(['true'], {}).args;

    it('refuses a VM the matrix does not have, naming those it has', () => {
      expect(() => parseTarget('vm:nope')).toThrow(
        new TargetError('--target vm:nope: the matrix has no such VM (it has vm:debian12, vm:debian13)'),
      );
    });

    it('says how to start the VM when it does not run', () => {
      expect(() => parseTarget('vm:debian12')).toThrow(
        new TargetError('--target vm:debian12: the VM is not running: start it with "labbook vm up debian12"'),
      );
    });

    it('names the running VM over SSH, with its files unless the command line names others', async () => {
      await withFakeQemu(debian12, (pid) => {
        writeRunning(debian12, pid, 40123);
        const vm = parseTarget('vm:debian12');
        expect(vm).toBeInstanceOf(RemoteTarget);
        expect(vm.name).toBe('vm:debian12');
        expect(ssh(vm)).toEqual(
          expect.arrayContaining([`UserKnownHostsFile=${debian12}/known_hosts`, `${debian12}/id_ed25519`]),
        );
        const args = ssh(vm);
        expect(args.slice(args.indexOf('-p'), args.indexOf('-p') + 4)).toEqual(['-p', '40123', '-l', 'root']);
        expect(args.slice(-3, -1)).toEqual(['127.0.0.1', '--']);
        const mine = ssh(parseTarget('vm:debian12', { identity: '/k/id', knownHosts: '/k/known_hosts' }));
        expect(mine).toEqual(expect.arrayContaining(['UserKnownHostsFile=/k/known_hosts', '/k/id', '40123']));
        expect(mine.join(' ')).not.toContain(root);
      });
    });

    it('does not take a VM that has not pinned its host key yet as running', async () => {
      await withFakeQemu(debian12, (pid) => {
        writeRunning(debian12, pid, 40123);
        rmSync(join(debian12, 'known_hosts'));
        expect(() => parseTarget('vm:debian12')).toThrow(/^--target vm:debian12: the VM is not running/);
      });
    });

    it("does not take another image's QEMU, or a pid that is not QEMU's, for the VM", async () => {
      const debian13 = join(root, 'debian13');
      mkdirSync(debian13, { recursive: true });
      await withFakeQemu(debian12, (pid) => {
        writeRunning(debian13, pid, 40124);
        expect(() => parseTarget('vm:debian13')).toThrow(
          new TargetError('--target vm:debian13: the VM is not running: start it with "labbook vm up debian13"'),
        );
      });
      writeRunning(debian12, process.pid, 40123);
      expect(() => parseTarget('vm:debian12')).toThrow(/^--target vm:debian12: the VM is not running/);
    });
  });

  it('refuses the groups matrix and vm, which name several targets', () => {
    expect(() => parseTarget('matrix')).toThrow(
      new TargetError(
        '--target matrix names several targets (local, vm:debian12, vm:debian13): this command takes one',
      ),
    );
    expect(() => parseTarget('vm')).toThrow(
      new TargetError('--target vm names several targets (vm:debian12, vm:debian13): this command takes one'),
    );
  });
});

describe('expandTargets', () => {
  it('expands matrix to every entry of the matrix, and vm to every VM of it', () => {
    expect(expandTargets('matrix')).toEqual(['local', 'vm:debian12', 'vm:debian13']);
    expect(expandTargets('vm')).toEqual(['vm:debian12', 'vm:debian13']);
  });

  it('leaves any other target as it is, one target', () => {
    for (const spec of [undefined, '', 'local', 'vm:debian12', 'vm:nope', 'ssh://root@lima', 'matrix2', 'sh -c']) {
      expect(expandTargets(spec)).toEqual([spec]);
    }
  });
});
