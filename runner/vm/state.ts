/**
 * Where `labbook vm` keeps its VM (LABBOOK_VM_DIR, or ~/.cache/labbook/vm) and what a running
 * VM is: its QEMU pid and its forwarded SSH port on 127.0.0.1. `--target vm` reads them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TargetError, type TargetOptions } from '../target.ts';
import { parseSshAddress, sshOptions } from '../transport-ssh.ts';

export function vmDir(): string {
  return process.env.LABBOOK_VM_DIR || join(homedir(), '.cache', 'labbook', 'vm');
}

export const vmFile = (name: string) => join(vmDir(), name);

export interface Running {
  pid: number;
  port: number;
}

/** The VM's QEMU, if it runs (its pid file names a live qemu process). */
export function runningVm(): Running | undefined {
  try {
    const pid = Number(readFileSync(vmFile('qemu.pid'), 'utf8').trim());
    const port = Number(readFileSync(vmFile('port'), 'utf8').trim());
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('qemu-system') && cmd.includes(vmDir()) ? { pid, port } : undefined;
  } catch {
    return undefined;
  }
}

/** The VM's key for root, and the known_hosts that pins its host key (written at boot). */
const login = () => ({ identity: vmFile('id_ed25519'), knownHosts: vmFile('known_hosts') });

export function sshAddress(port: number): string {
  return `ssh://root@127.0.0.1:${port}`;
}

/** The ssh target of the running VM: its address, its key, and its pinned host key. */
export function vmTargetOptions(): TargetOptions & { address: string } {
  const vm = runningVm();
  if (!vm || !existsSync(vmFile('known_hosts'))) {
    throw new TargetError('--target vm: the VM is not running: start it with "labbook vm up"');
  }
  return { address: sshAddress(vm.port), ...login() };
}

/** ssh's arguments up to its command, for the VM on this port: its key, its pinned host key. */
export function vmSshArgs(port: number): string[] {
  const { host, ...address } = parseSshAddress(sshAddress(port));
  return [...sshOptions(address, { ...login(), connectTimeoutS: 3 }), host];
}
