/**
 * A VM's QEMU: its command line (a pure function of the VM directory, the forwarded SSH
 * port, the accelerator and how it starts), which accelerators to try, and the process
 * (started daemonized with a pid file, stopped by that pid). KVM when /dev/kvm is usable;
 * software emulation (TCG) otherwise, and also when the kernel prints nothing under KVM
 * (nested KVM that does not work). User networking only, SSH forwarded from 127.0.0.1.
 *
 * The disk is saved/disk.qcow2, an overlay of the built disk.img, which never changes. A VM
 * boots once to save its state ("boot", in saving/: the overlay takes what booting wrote,
 * then QEMU stops and writes its memory and devices to state); every later start resumes from
 * that state ("resume": -incoming, and -snapshot so the overlay stays as it was saved).
 * A "cold" boot, from the overlay and with -snapshot, is what a resume saves (the bench).
 */
import { closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand, shq } from '../target.ts';
import { runningVm, vmFile } from './state.ts';

export const QEMU = 'qemu-system-x86_64';

export type Accel = 'kvm' | 'tcg';

/** The accelerators to boot with, in order: KVM first when /dev/kvm is usable, TCG last (the fallback). */
export function accelerators(kvmUsable: boolean): Accel[] {
  return kvmUsable ? ['kvm', 'tcg'] : ['tcg'];
}

/** What a boot's progress line calls the accelerator. */
export function describeAccel(accel: Accel): string {
  return accel === 'kvm' ? 'KVM' : 'software emulation (TCG, no working KVM)';
}

export interface QemuOptions {
  /** The VM directory: vmlinuz, initrd.img, saved/; console.log, qmp.sock and qemu.pid are written there. */
  dir: string;
  /** The port of 127.0.0.1 forwarded to the guest's SSH. */
  port: number;
  accel: Accel;
  /**
   * "boot": a boot whose state is then saved (its disk writes kept in the overlay);
   * "resume": from the saved state; "cold": a boot that keeps nothing (bench/vm-start.ts).
   */
  start: 'boot' | 'resume' | 'cold';
}

/**
 * The saved state's files: the disk overlay and QEMU's migration stream, in saved/. A boot
 * that saves them writes them in saving/, which becomes saved/ only once they are whole, so
 * a failed boot leaves the state there was.
 */
export const stateDir = (dir: string, start: QemuOptions['start']) => join(dir, start === 'boot' ? 'saving' : 'saved');
export const savedDisk = (dir: string, start: QemuOptions['start'] = 'resume') =>
  join(stateDir(dir, start), 'disk.qcow2');
export const savedState = (dir: string, start: QemuOptions['start'] = 'resume') => join(stateDir(dir, start), 'state');

/**
 * QEMU's argv, the binary first. Only the accelerator and the CPU model differ between KVM
 * and TCG; only the last words between a boot and a resume.
 */
export function qemuArgv({ dir, port, accel, start }: QemuOptions): string[] {
  return [
    QEMU,
    ...['-name', `labbook-${basename(dir)}`, '-m', '1024', '-smp', '2'],
    ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host,-arch-capabilities'] : ['-accel', 'tcg', '-cpu', 'max']),
    ...['-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img')],
    // psi=1: Debian builds its kernels with pressure stall information off by default
    // (CONFIG_PSI_DEFAULT_DISABLED); the cgroup chapter reads the pressure files.
    ...['-append', 'root=/dev/vda rw console=ttyS0 psi=1'],
    ...['-drive', `file=${savedDisk(dir, start)},if=virtio,format=qcow2`],
    // A new VM generation ID on every start: the guest's kernel (6.1 and later) reseeds its
    // random generator at once when it sees one, so resumed guests do not draw the same numbers.
    ...['-device', 'vmgenid,guid=auto'],
    ...['-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=net0'],
    ...['-display', 'none', '-serial', `file:${join(dir, 'console.log')}`],
    ...['-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`],
    ...['-daemonize', '-pidfile', join(dir, 'qemu.pid')],
    ...(start === 'boot' ? [] : ['-snapshot']),
    ...(start === 'resume' ? ['-incoming', `exec:cat ${shq(savedState(dir))}`] : []),
  ];
}

/**
 * What a saved state depends on, beside QEMU's version and the image: the command line of
 * the boot that saved it, without the SSH port (a resume may forward another).
 */
export function stateCommandLine(dir: string, accel: Accel): string {
  return qemuArgv({ dir, port: 0, accel, start: 'boot' }).join(' ');
}

/** Whether this process may open /dev/kvm read-write (it exists, and the user may use it). */
export function kvmUsable(device = '/dev/kvm'): boolean {
  try {
    closeSync(openSync(device, constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

/** Starts QEMU; it returns once the VM runs in the background (-daemonize), its pid in qemu.pid. */
export async function startQemu(options: QemuOptions): Promise<void> {
  const [file, ...args] = qemuArgv(options);
  await runCommand(file as string, args);
}

/** The files that say a VM runs: removed when it stops. */
export function forgetRunningVm(image: string): void {
  for (const f of ['qemu.pid', 'port', 'known_hosts', 'qmp.sock', 'accel']) rmSync(vmFile(image, f), { force: true });
}

/** Whether the process runs: a zombie (ended, not yet reaped by whoever adopted it) does not. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Stops the image's QEMU (SIGTERM, SIGKILL after 10 s) and waits until it is gone: QEMU
 * removes its pid file and QMP socket as it exits, which must not happen to the next start's.
 */
export async function stopQemu(image: string): Promise<void> {
  const vm = runningVm(image);
  if (vm) {
    process.kill(vm.pid, 'SIGTERM');
    for (let i = 0; alive(vm.pid); i++) {
      if (i === 100) process.kill(vm.pid, 'SIGKILL');
      await sleep(100);
    }
  }
  forgetRunningVm(image);
}
