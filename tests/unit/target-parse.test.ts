/**
 * What a `--target` value names (runner/target-parse.ts), and the errors of one that names
 * nothing usable. Nothing is connected here.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL, type Target, TargetError } from '../../runner/target.ts';
import { parseTarget } from '../../runner/target-parse.ts';
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

  describe('vm', () => {
    const saved = process.env.LABBOOK_VM_DIR;
    const dir = mkdtempSync(join(tmpdir(), 'labbook-vm-test-'));
    afterAll(() => {
      if (saved === undefined) delete process.env.LABBOOK_VM_DIR;
      else process.env.LABBOOK_VM_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    it('says how to start the VM when it does not run', () => {
      process.env.LABBOOK_VM_DIR = dir;
      expect(() => parseTarget('vm')).toThrow(
        new TargetError('--target vm: the VM is not running: start it with "labbook vm up"'),
      );
    });

    it('names the running VM over SSH, with its files unless the command line names others', async () => {
      process.env.LABBOOK_VM_DIR = dir;
      // A process whose command line looks like the VM's QEMU, as the pid file says.
      const qemu = spawn('bash', ['-c', `exec -a "qemu-system-x86_64 ${dir}" sleep 30`], { stdio: 'ignore' });
      try {
        await new Promise((r) => setTimeout(r, 100));
        writeFileSync(join(dir, 'qemu.pid'), `${qemu.pid}\n`);
        writeFileSync(join(dir, 'port'), '40123\n');
        writeFileSync(join(dir, 'known_hosts'), '');
        const ssh = (t: Target) => t.launch(['true'], {}).args;
        const vm = parseTarget('vm');
        expect(vm.name).toBe('labbook vm');
        expect(ssh(vm)).toEqual(
          expect.arrayContaining([`UserKnownHostsFile=${dir}/known_hosts`, `${dir}/id_ed25519`, '40123', 'root']),
        );
        const mine = ssh(parseTarget('vm', { identity: '/k/id', knownHosts: '/k/known_hosts' }));
        expect(mine).toEqual(expect.arrayContaining(['UserKnownHostsFile=/k/known_hosts', '/k/id', '40123']));
        expect(mine.join(' ')).not.toContain(dir);
      } finally {
        qemu.kill();
      }
    });
  });
});
