/**
 * A VM's QEMU command line (runner/vm/qemu.ts) and its accelerators: KVM first when /dev/kvm
 * is usable, with TCG as the fallback; TCG alone when it is not. The fact "is /dev/kvm
 * usable" is given, so the figures do not depend on this machine. A VM boots once to save its
 * state, and resumes from it later; a cold boot keeps nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accelerators,
  describeAccel,
  kvmUsable,
  QEMU,
  type QemuOptions,
  qemuArgv,
  savedDisk,
  savedState,
  stateCommandLine,
} from '../../runner/vm/qemu.ts';
import { vmDir, vmFile, vmRoot, vmSshArgs } from '../../runner/vm/state.ts';

const dir = '/var/cache/labbook/vm/debian12';
const STARTS: QemuOptions['start'][] = ['boot', 'resume', 'cold'];
/** The value of each option that takes one (the last, when given more than once). */
const option = (argv: string[], name: string) => argv[argv.lastIndexOf(name) + 1];

/** Runs `body` with LABBOOK_VM_DIR set to `value`, and puts back what was there. */
function withVmDir<T>(value: string | undefined, body: () => T): T {
  const saved = process.env.LABBOOK_VM_DIR;
  if (value === undefined) delete process.env.LABBOOK_VM_DIR;
  else process.env.LABBOOK_VM_DIR = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.LABBOOK_VM_DIR;
    else process.env.LABBOOK_VM_DIR = saved;
  }
}

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
  const argv = (start: QemuOptions['start'], accel: QemuOptions['accel'] = 'tcg') =>
    qemuArgv({ dir, port: 40123, accel, start });
  /** What every start has in common under TCG, before the words of its start mode (the overlay of saved/). */
  const common = [
    QEMU,
    ...['-name', 'labbook-debian12', '-m', '1024', '-smp', '2'],
    ...['-accel', 'tcg', '-cpu', 'max'],
    ...['-kernel', `${dir}/vmlinuz`, '-initrd', `${dir}/initrd.img`],
    ...['-append', 'root=/dev/vda rw console=ttyS0 psi=1'],
    ...['-drive', `file=${dir}/saved/disk.qcow2,if=virtio,format=qcow2`],
    ...['-device', 'vmgenid,guid=auto'],
    ...['-netdev', 'user,id=net0,hostfwd=tcp:127.0.0.1:40123-:22', '-device', 'virtio-net-pci,netdev=net0'],
    ...['-display', 'none', '-serial', `file:${dir}/console.log`],
    ...['-qmp', `unix:${dir}/qmp.sock,server=on,wait=off`],
    ...['-daemonize', '-pidfile', `${dir}/qemu.pid`],
  ];

  it('is the whole command line of a boot that saves its state: its disk writes kept in a new overlay, in saving/', () => {
    const drive = common.indexOf('-drive') + 1;
    expect(argv('boot')).toEqual(common.with(drive, `file=${dir}/saving/disk.qcow2,if=virtio,format=qcow2`));
  });

  it('is the whole command line of a resume: the saved state loaded, the overlay left as saved', () => {
    expect(argv('resume')).toEqual([...common, '-snapshot', '-incoming', `exec:cat ${dir}/saved/state`]);
  });

  it('is the whole command line of a cold boot: the overlay left as saved, no state', () => {
    expect(argv('cold')).toEqual([...common, '-snapshot']);
  });

  it('names the saved disk and state inside the VM directory, and those a boot saves beside them', () => {
    expect(savedDisk(dir, 'boot')).toBe(`${dir}/saving/disk.qcow2`);
    expect(savedState(dir, 'boot')).toBe(`${dir}/saving/state`);
    expect(savedDisk(dir)).toBe(`${dir}/saved/disk.qcow2`);
    expect(savedState(dir)).toBe(`${dir}/saved/state`);
  });

  it('differs under KVM only in the accelerator and the CPU model', () => {
    const rest = (a: string[]) => a.filter((_, i) => !['-accel', '-cpu'].includes(a[i - 1] as string));
    for (const start of STARTS) {
      const kvm = argv(start, 'kvm');
      expect(option(kvm, '-accel')).toBe('kvm');
      expect(option(kvm, '-cpu')).toBe('host,-arch-capabilities');
      expect(rest(kvm)).toEqual(rest(argv(start, 'tcg')));
    }
  });

  it('uses each boot through KVM and its fallback', () => {
    const accels = (usable: boolean) =>
      accelerators(usable).map((accel) => option(qemuArgv({ dir, port: 1, accel, start: 'boot' }), '-accel'));
    expect(accels(true)).toEqual(['kvm', 'tcg']);
    expect(accels(false)).toEqual(['tcg']);
  });

  it('names the VM after its image directory, so two images can run side by side', () => {
    const other = qemuArgv({ dir: '/c/vm/debian13', port: 40124, accel: 'tcg', start: 'resume' });
    expect(option(other, '-name')).toBe('labbook-debian13');
    expect(option(other, '-qmp')).toBe('unix:/c/vm/debian13/qmp.sock,server=on,wait=off');
    expect(option(other, '-pidfile')).toBe('/c/vm/debian13/qemu.pid');
  });

  it('never writes the image; only a boot writes the overlay', () => {
    for (const accel of ['kvm', 'tcg'] as const) {
      for (const start of STARTS) {
        const a = argv(start, accel);
        expect(a.filter((w) => w.includes('disk.img'))).toEqual([]);
        const overlay = start === 'boot' ? 'saving' : 'saved';
        expect(option(a, '-drive')).toBe(`file=${dir}/${overlay}/disk.qcow2,if=virtio,format=qcow2`);
        expect(a.includes('-snapshot'), `${start} with ${accel}`).toBe(start !== 'boot');
      }
    }
  });

  it('gives every start a new VM generation ID, on which the guest reseeds its random generator', () => {
    for (const start of STARTS) {
      const a = argv(start);
      expect(a[a.indexOf('vmgenid,guid=auto') - 1], start).toBe('-device');
    }
  });

  it('quotes the saved state for the shell QEMU runs cat with', () => {
    const spaced = qemuArgv({ dir: '/tmp/a dir/debian12', port: 1, accel: 'tcg', start: 'resume' });
    expect(option(spaced, '-incoming')).toBe("exec:cat '/tmp/a dir/debian12/saved/state'");
  });

  it('loads a saved state only on a resume', () => {
    expect(STARTS.map((start) => argv(start).includes('-incoming'))).toEqual([false, true, false]);
  });

  it('never listens beyond 127.0.0.1 and has no display', () => {
    for (const accel of ['kvm', 'tcg'] as const) {
      for (const start of STARTS) {
        const a = argv(start, accel);
        expect(option(a, '-netdev')).toBe('user,id=net0,hostfwd=tcp:127.0.0.1:40123-:22');
        expect(option(a, '-qmp')).toMatch(/^unix:/);
        expect(option(a, '-display')).toBe('none');
        expect(a.filter((w) => /tap|bridge|tcp:(?!127\.0\.0\.1:)|vnc|spice|-monitor/.test(w))).toEqual([]);
      }
    }
  });
});

describe('stateCommandLine', () => {
  it('is the command line of the boot that saves a state, with no port', () => {
    expect(stateCommandLine(dir, 'tcg')).toBe(qemuArgv({ dir, port: 0, accel: 'tcg', start: 'boot' }).join(' '));
    expect(stateCommandLine(dir, 'tcg')).toContain('hostfwd=tcp:127.0.0.1:0-:22');
  });

  it('does not depend on the port, so a resume that forwards another keeps the state', () => {
    const line = stateCommandLine(dir, 'kvm');
    const withPort = (port: number) => qemuArgv({ dir, port, accel: 'kvm', start: 'boot' }).join(' ');
    expect(withPort(40123)).not.toBe(withPort(40124));
    expect(withPort(40123).replace(':40123-', ':0-')).toBe(line);
    expect(withPort(40124).replace(':40124-', ':0-')).toBe(line);
  });

  it('depends on the accelerator and the image directory', () => {
    expect(stateCommandLine(dir, 'kvm')).not.toBe(stateCommandLine(dir, 'tcg'));
    expect(stateCommandLine('/c/vm/debian13', 'kvm')).not.toBe(stateCommandLine(dir, 'kvm'));
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

describe('the VM directories', () => {
  it('keeps every image under LABBOOK_VM_DIR, one directory each', () => {
    withVmDir('/var/cache/labbook/vm', () => {
      expect(vmRoot()).toBe('/var/cache/labbook/vm');
      expect(vmDir('debian12')).toBe(dir);
      expect(vmFile('debian13', 'qemu.pid')).toBe('/var/cache/labbook/vm/debian13/qemu.pid');
    });
  });

  it('keeps them in ~/.cache/labbook/vm when LABBOOK_VM_DIR is unset or empty', () => {
    const cache = join(homedir(), '.cache', 'labbook', 'vm');
    expect(withVmDir(undefined, vmRoot)).toBe(cache);
    expect(withVmDir('', () => vmDir('debian12'))).toBe(join(cache, 'debian12'));
  });
});

describe('the ssh command of a VM', () => {
  it('logs in as root on 127.0.0.1 with the image’s key and its pinned host key only', () => {
    withVmDir('/var/cache/labbook/vm', () => {
      expect(vmSshArgs('debian12', 40123)).toEqual([
        ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=3'],
        ...['-o', `UserKnownHostsFile=${dir}/known_hosts`, '-o', 'GlobalKnownHostsFile=/dev/null'],
        ...['-i', `${dir}/id_ed25519`, '-o', 'IdentitiesOnly=yes', '-p', '40123', '-l', 'root', '127.0.0.1'],
      ]);
    });
  });
});
