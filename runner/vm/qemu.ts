/**
 * The VM's QEMU: its command line (a pure function of the VM directory, the forwarded SSH
 * port and the accelerator), which accelerators to try, and the process (started daemonized
 * with a pid file, stopped by that pid). KVM when /dev/kvm is usable; software emulation
 * (TCG) otherwise, and also when the kernel prints nothing under KVM (nested KVM that does
 * not work). User networking only, SSH forwarded from 127.0.0.1; -snapshot, so the image
 * never changes and every boot starts clean.
 */
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../target.ts';
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
  /** The VM directory: vmlinuz, initrd.img, disk.img; console.log and qemu.pid are written there. */
  dir: string;
  /** The port of 127.0.0.1 forwarded to the guest's SSH. */
  port: number;
  accel: Accel;
}

/** QEMU's argv, the binary first. Only the accelerator and the CPU model differ between KVM and TCG. */
export function qemuArgv({ dir, port, accel }: QemuOptions): string[] {
  return [
    QEMU,
    ...['-name', 'labbook-vm', '-m', '1024', '-smp', '2'],
    ...(accel === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host,-arch-capabilities'] : ['-accel', 'tcg', '-cpu', 'max']),
    ...['-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img')],
    ...['-append', 'root=/dev/vda rw console=ttyS0'],
    ...['-drive', `file=${join(dir, 'disk.img')},if=virtio,format=raw`, '-snapshot'],
    ...['-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=net0'],
    ...['-display', 'none', '-serial', `file:${join(dir, 'console.log')}`],
    ...['-daemonize', '-pidfile', join(dir, 'qemu.pid')],
  ];
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
export function forgetRunningVm(): void {
  for (const f of ['qemu.pid', 'port', 'known_hosts']) rmSync(vmFile(f), { force: true });
}

/** Stops the VM's QEMU at once (SIGTERM), if it runs. */
export function stopQemu(): void {
  const vm = runningVm();
  if (vm) process.kill(vm.pid, 'SIGTERM');
  forgetRunningVm();
}
