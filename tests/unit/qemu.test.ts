/**
 * The VM's QEMU command line (runner/vm/qemu.ts) and its accelerators: KVM first when
 * /dev/kvm is usable, with TCG as the fallback; TCG alone when it is not. The fact "is
 * /dev/kvm usable" is given, so the figures do not depend on this machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { accelerators, describeAccel, kvmUsable, QEMU, qemuArgv } from '../../runner/vm/qemu.ts';
import { vmSshArgs } from '../../runner/vm/state.ts';

const dir = '/var/cache/labbook/vm';
/** The value of each option that takes one (the last, when given more than once). */
const option = (argv: string[], name: string) => argv[argv.lastIndexOf(name) + 1];

describe('accelerators', () => {
  it('tries KVM, then TCG, when /dev/kvm is usable', () => {
    expect(accelerators(true)).toEqual(['kvm', 'tcg']);
  });
  it('boots with TCG alone when it is not', () => {
    expect(accelerators(false)).toEqual(['tcg']);
  });
  it('names them in the progress line', () => {
    expect(describeAccel('kvm')).toBe('KVM');
    expect(describeAccel('tcg')).toBe('software emulation (TCG, no working KVM)');
  });
});

describe('qemuArgv', () => {
  const kvm = qemuArgv({ dir, port: 40123, accel: 'kvm' });
  const tcg = qemuArgv({ dir, port: 40123, accel: 'tcg' });

  it('is the whole command line of the VM under TCG', () => {
    expect(tcg).toEqual([
      QEMU,
      ...['-name', 'labbook-vm', '-m', '1024', '-smp', '2'],
      ...['-accel', 'tcg', '-cpu', 'max'],
      ...['-kernel', `${dir}/vmlinuz`, '-initrd', `${dir}/initrd.img`],
      ...['-append', 'root=/dev/vda rw console=ttyS0'],
      ...['-drive', `file=${dir}/disk.img,if=virtio,format=raw`, '-snapshot'],
      ...['-netdev', 'user,id=net0,hostfwd=tcp:127.0.0.1:40123-:22', '-device', 'virtio-net-pci,netdev=net0'],
      ...['-display', 'none', '-serial', `file:${dir}/console.log`],
      ...['-daemonize', '-pidfile', `${dir}/qemu.pid`],
    ]);
  });

  it('differs under KVM only in the accelerator and the CPU model', () => {
    expect(option(kvm, '-accel')).toBe('kvm');
    expect(option(kvm, '-cpu')).toBe('host,-arch-capabilities');
    const rest = (argv: string[]) => argv.filter((_, i) => !['-accel', '-cpu'].includes(argv[i - 1] as string));
    expect(rest(kvm)).toEqual(rest(tcg));
  });

  it('uses each boot through KVM and its fallback', () => {
    expect(accelerators(true).map((accel) => option(qemuArgv({ dir, port: 1, accel }), '-accel'))).toEqual([
      'kvm',
      'tcg',
    ]);
    expect(accelerators(false).map((accel) => option(qemuArgv({ dir, port: 1, accel }), '-accel'))).toEqual(['tcg']);
  });

  it('never changes the image, never listens beyond 127.0.0.1, and has no display', () => {
    for (const argv of [kvm, tcg]) {
      expect(argv).toContain('-snapshot');
      expect(option(argv, '-netdev')).toMatch(/^user,id=net0,hostfwd=tcp:127\.0\.0\.1:40123-:22$/);
      expect(option(argv, '-display')).toBe('none');
      expect(argv.filter((a) => /tap|bridge/.test(a))).toEqual([]);
    }
  });
});

describe('kvmUsable', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'labbook-kvm-test-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('is false for a device that is absent or that this process may not open read-write', () => {
    expect(kvmUsable(join(scratch, 'absent'))).toBe(false);
    // root may open any file read-write: a directory stands for a device it may not open so.
    expect(kvmUsable(scratch)).toBe(false);
  });

  it('is true for one it may open read-write', () => {
    const writable = join(scratch, 'writable');
    writeFileSync(writable, '');
    expect(kvmUsable(writable)).toBe(true);
  });
});

describe('the ssh command of the VM', () => {
  it('logs in as root on 127.0.0.1 with the VM key and its pinned host key only', () => {
    const saved = process.env.LABBOOK_VM_DIR;
    process.env.LABBOOK_VM_DIR = dir;
    try {
      expect(vmSshArgs(40123)).toEqual([
        ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=3'],
        ...['-o', `UserKnownHostsFile=${dir}/known_hosts`, '-o', 'GlobalKnownHostsFile=/dev/null'],
        ...['-i', `${dir}/id_ed25519`, '-o', 'IdentitiesOnly=yes', '-p', '40123', '-l', 'root', '127.0.0.1'],
      ]);
    } finally {
      if (saved === undefined) delete process.env.LABBOOK_VM_DIR;
      else process.env.LABBOOK_VM_DIR = saved;
    }
  });
});
