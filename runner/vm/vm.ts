/**
 * `labbook vm up|down|status|target`: a disposable Debian 12 VM for the cells, built from
 * Debian's packages by build.sh and booted with QEMU: KVM when /dev/kvm works, software
 * emulation (TCG) otherwise; user networking only, with SSH forwarded from 127.0.0.1; and
 * -snapshot, so the image never changes and every boot starts clean.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { styleText } from 'node:util';
import { toolsOf } from '../../src/cells/packages.ts';
import { ensureTools, installPlan } from '../setup.ts';
import { runCommand, TargetError } from '../target.ts';
import { runningVm, vmDir, vmFile, vmTargetOptions } from './state.ts';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');
const BOOT_TIMEOUT_S = 300;
/** A kernel that prints nothing this long under KVM is stuck (nested KVM that does not work). */
const KVM_SILENT_S = 15;

function log(started: number, text: string): void {
  console.log(`${styleText('dim', `[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s]`)} ${text}`);
}

/** The guest's tools: the same map as `labbook setup` (baseline and the cells' commands). */
function guestPackages(): string[] {
  return installPlan('debian', toolsOf(['baseline', 'cells'])).packages;
}

async function build(started: number): Promise<void> {
  log(started, `building the VM image in ${vmDir()} (about 2 to 4 minutes)`);
  const child = spawn('bash', [BUILD, vmDir(), guestPackages().join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let step = '';
  const heartbeat = setInterval(() => log(started, styleText('dim', `  still at ${step}`)), 15_000);
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.startsWith('step ')) continue;
      step = line.slice(5);
      log(started, step);
    }
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(heartbeat);
  if (code !== 0) throw new TargetError('labbook vm: the build failed (its log is in build.log in the VM directory)');
  writeFileSync(vmFile('image.version'), `${imageVersion()}\n`);
}

/** The build script's and the guest packages' hash: an image made otherwise lacks what this one adds. */
function imageVersion(): string {
  return createHash('sha256').update(readFileSync(BUILD)).update(guestPackages().join(',')).digest('hex').slice(0, 16);
}

function imageIsCurrent(): boolean {
  if (!existsSync(vmFile('disk.img'))) return false;
  try {
    return readFileSync(vmFile('image.version'), 'utf8').trim() === imageVersion();
  } catch {
    return false;
  }
}

function kvmWorks(): boolean {
  try {
    closeSync(openSync('/dev/kvm', constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function qemuArgs(port: number, kvm: boolean): string[] {
  const dir = vmDir();
  return [
    ...['-name', 'labbook-vm', '-m', '1024', '-smp', '2'],
    ...(kvm ? ['-accel', 'kvm', '-cpu', 'host,-arch-capabilities'] : ['-accel', 'tcg', '-cpu', 'max']),
    ...['-kernel', join(dir, 'vmlinuz'), '-initrd', join(dir, 'initrd.img')],
    ...['-append', 'root=/dev/vda rw console=ttyS0'],
    ...['-drive', `file=${join(dir, 'disk.img')},if=virtio,format=raw`, '-snapshot'],
    ...['-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:22`, '-device', 'virtio-net-pci,netdev=net0'],
    ...['-display', 'none', '-serial', `file:${join(dir, 'console.log')}`],
    ...['-daemonize', '-pidfile', join(dir, 'qemu.pid')],
  ];
}

function sshArgs(port: number): string[] {
  return [
    ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=3'],
    ...['-o', `UserKnownHostsFile=${vmFile('known_hosts')}`, '-o', 'GlobalKnownHostsFile=/dev/null'],
    ...['-i', vmFile('id_ed25519'), '-o', 'IdentitiesOnly=yes', '-p', String(port), 'root@127.0.0.1'],
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots QEMU and waits for SSH; false if the kernel stayed silent under KVM. */
async function boot(started: number, kvm: boolean): Promise<boolean> {
  const port = await freePort();
  writeFileSync(vmFile('port'), `${port}\n`);
  // The guest's host key, pinned for this port: the first connection is already checked.
  const key = readFileSync(vmFile('host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(vmFile('known_hosts'), `[127.0.0.1]:${port} ${key}\n`, { mode: 0o600 });
  rmSync(vmFile('console.log'), { force: true });
  log(started, `booting with ${kvm ? 'KVM' : 'software emulation (TCG, no working KVM)'}, SSH on 127.0.0.1:${port}`);
  await runCommand('qemu-system-x86_64', qemuArgs(port, kvm));
  const t0 = performance.now();
  let reported = 0;
  for (let waited = 0; waited < BOOT_TIMEOUT_S; waited = (performance.now() - t0) / 1000) {
    const r = spawnSync('ssh', [...sshArgs(port), 'true'], { stdio: 'ignore' });
    if (r.status === 0) return true;
    const console = existsSync(vmFile('console.log')) ? statSync(vmFile('console.log')).size : 0;
    if (kvm && waited >= KVM_SILENT_S && console === 0) {
      stopQemu();
      return false;
    }
    if (waited - reported >= 10) {
      reported = waited;
      log(started, styleText('dim', `  waiting for SSH (console: ${console} bytes)`));
    }
    await sleep(1000);
  }
  stopQemu();
  throw new TargetError(`labbook vm: no SSH after ${BOOT_TIMEOUT_S} s: see ${vmFile('console.log')}`);
}

function stopQemu(): void {
  const vm = runningVm();
  if (vm) process.kill(vm.pid, 'SIGTERM');
  for (const f of ['qemu.pid', 'port', 'known_hosts']) rmSync(vmFile(f), { force: true });
}

async function up(): Promise<void> {
  if (process.getuid?.() !== 0) throw new TargetError('labbook vm up: building and booting the VM needs root');
  const started = performance.now();
  const running = runningVm();
  if (running) {
    log(started, `the VM already runs (pid ${running.pid})`);
  } else {
    if ((await ensureTools({ groups: ['vm'], as: 'labbook vm' })) !== 0) {
      throw new TargetError('labbook vm: the tools above are needed to build and boot the VM');
    }
    if (imageIsCurrent()) log(started, `using the image in ${vmDir()}`);
    else {
      if (existsSync(vmFile('disk.img')))
        log(started, 'the image was made by an older build script: building it again');
      await build(started);
    }
    if (!(kvmWorks() && (await boot(started, true)))) {
      if (kvmWorks()) log(started, 'the kernel printed nothing under KVM: booting again with software emulation');
      await boot(started, false);
    }
    log(started, 'the VM is up');
  }
  printTarget();
}

async function down(): Promise<void> {
  const vm = runningVm();
  if (!vm) {
    console.log('labbook vm: the VM is not running');
    return;
  }
  const started = performance.now();
  log(started, 'powering off');
  spawnSync('ssh', [...sshArgs(vm.port), 'systemctl poweroff'], { stdio: 'ignore' });
  for (let i = 0; i < 60 && runningVm(); i++) await sleep(500);
  if (runningVm()) {
    log(started, 'no clean poweroff in 30 s: stopping QEMU');
    stopQemu();
  }
  for (const f of ['qemu.pid', 'port', 'known_hosts']) rmSync(vmFile(f), { force: true });
  log(started, 'the VM is down');
}

function status(): void {
  const built = existsSync(vmFile('disk.img'));
  console.log(`directory: ${vmDir()}`);
  console.log(
    `image: ${built ? `built ${statSync(vmFile('disk.img')).mtime.toISOString()}` : 'not built ("labbook vm up" builds it)'}`,
  );
  const vm = runningVm();
  console.log(vm ? `running: QEMU pid ${vm.pid}, SSH on 127.0.0.1:${vm.port}` : 'not running');
}

function printTarget(): void {
  const { address, identity, knownHosts } = vmTargetOptions();
  console.log(`--target vm   (the same as: --target ${address} --identity ${identity} --known-hosts ${knownHosts})`);
  console.log(`for example:  npx labbook check virtual-nics --target vm`);
  console.log(`a shell:      ssh ${sshArgs(Number(new URL(address).port)).join(' ')}`);
}

export async function vmCommand(action: string | undefined): Promise<number> {
  switch (action) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down();
      return 0;
    case 'status':
      status();
      return runningVm() ? 0 : 3;
    case 'target':
      printTarget();
      return 0;
    default:
      throw new TargetError(`labbook vm: say up, down, status or target${action ? `, not "${action}"` : ''}`);
  }
}
