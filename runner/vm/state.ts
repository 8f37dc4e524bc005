/**
 * Where `labbook vm` keeps its VMs (LABBOOK_VM_DIR, or ~/.cache/labbook/vm; one directory per
 * image of the matrix: debian12/, debian13/) and what a running VM is: its QEMU pid and its
 * forwarded SSH port on 127.0.0.1. `--target vm:NAME` reads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TargetError, type TargetOptions } from '../target.ts';
import { parseSshAddress, sshOptions } from '../transport-ssh.ts';

/** The directory of all VM images. */
export function vmRoot(): string {
  return process.env.LABBOOK_VM_DIR || join(homedir(), '.cache', 'labbook', 'vm');
}

/** One image's directory: its disk, kernel and keys, its saved state, and while it runs, its pid and port. */
export function vmDir(image: string): string {
  return join(vmRoot(), image);
}

export const vmFile = (image: string, name: string) => join(vmDir(image), name);

export interface Running {
  pid: number;
  port: number;
}

/** The image's QEMU, if it runs (its pid file names a live qemu process of this directory). */
export function runningVm(image: string): Running | undefined {
  try {
    const pid = Number(readFileSync(vmFile(image, 'qemu.pid'), 'utf8').trim());
    const port = Number(readFileSync(vmFile(image, 'port'), 'utf8').trim());
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('qemu-system') && cmd.includes(`${vmDir(image)}/`) ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

/** The accelerator the image's running VM started with (start.ts writes it), if it runs. */
export function runningAccel(image: string): 'kvm' | 'tcg' | undefined {
  if (!runningVm(image)) return undefined;
  try {
    const accel = readFileSync(vmFile(image, 'accel'), 'utf8').trim();
    return accel === 'kvm' || accel === 'tcg' ? accel : undefined;
  } catch {
    return undefined;
  }
}

/** The VM's key for root, and the known_hosts that pins its host key (written at boot). */
const login = (image: string) => ({ identity: vmFile(image, 'id_ed25519'), knownHosts: vmFile(image, 'known_hosts') });

export function sshAddress(port: number): string {
  return `ssh://root@127.0.0.1:${port}`;
}

/** The ssh target of the running VM: its address, its key, and its pinned host key. */
export function vmTargetOptions(image: string): TargetOptions & { address: string } {
  const vm = runningVm(image);
  if (!vm || !existsSync(vmFile(image, 'known_hosts'))) {
    throw new TargetError(`--target vm:${image}: the VM is not running: start it with "labbook vm up ${image}"`);
  }
  return { address: sshAddress(vm.port), ...login(image) };
}

/** ssh's arguments up to its command, for the image's VM on this port: its key, its pinned host key. */
export function vmSshArgs(image: string, port: number): string[] {
  const { host, ...address } = parseSshAddress(sshAddress(port));
  return [...sshOptions(address, { ...login(image), connectTimeoutS: 3 }), host];
}
