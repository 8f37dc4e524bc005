/**
 * `labbook vm up|down|status|target`: a disposable Debian 12 VM for the cells. Its image is
 * built from Debian's packages (image.ts, build.sh), booted with QEMU (qemu.ts) and reached
 * over SSH with its own key and pinned host key (state.ts); the host's tools come from the
 * package map (packages.ts), and the progress lines from console.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { TargetError } from '../target.ts';
import { type Progress, progress } from './console.ts';
import { ensureImage } from './image.ts';
import { ensureHostTools } from './packages.ts';
import { type Accel, accelerators, describeAccel, forgetRunningVm, kvmUsable, startQemu, stopQemu } from './qemu.ts';
import { runningVm, vmDir, vmFile, vmSshArgs, vmTargetOptions } from './state.ts';

const BOOT_TIMEOUT_S = 300;
/** A kernel that prints nothing this long under KVM is stuck (nested KVM that does not work). */
const KVM_SILENT_S = 15;

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Boots QEMU and waits for SSH; false if the kernel stayed silent under KVM. */
async function boot(log: Progress, accel: Accel): Promise<boolean> {
  const port = await freePort();
  writeFileSync(vmFile('port'), `${port}\n`);
  // The guest's host key, pinned for this port: the first connection is already checked.
  const key = readFileSync(vmFile('host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(vmFile('known_hosts'), `[127.0.0.1]:${port} ${key}\n`, { mode: 0o600 });
  rmSync(vmFile('console.log'), { force: true });
  log(`booting with ${describeAccel(accel)}, SSH on 127.0.0.1:${port}`);
  await startQemu({ dir: vmDir(), port, accel });
  const t0 = performance.now();
  let reported = 0;
  for (let waited = 0; waited < BOOT_TIMEOUT_S; waited = (performance.now() - t0) / 1000) {
    const r = spawnSync('ssh', [...vmSshArgs(port), 'true'], { stdio: 'ignore' });
    if (r.status === 0) return true;
    const console = existsSync(vmFile('console.log')) ? statSync(vmFile('console.log')).size : 0;
    if (accel === 'kvm' && waited >= KVM_SILENT_S && console === 0) {
      stopQemu();
      return false;
    }
    if (waited - reported >= 10) {
      reported = waited;
      log(`  waiting for SSH (console: ${console} bytes)`, true);
    }
    await sleep(1000);
  }
  stopQemu();
  throw new TargetError(`labbook vm: no SSH after ${BOOT_TIMEOUT_S} s: see ${vmFile('console.log')}`);
}

async function up(): Promise<void> {
  if (process.getuid?.() !== 0) throw new TargetError('labbook vm up: building and booting the VM needs root');
  const log = progress();
  const running = runningVm();
  if (running) {
    log(`the VM already runs (pid ${running.pid})`);
  } else {
    await ensureHostTools();
    await ensureImage(log);
    // Only a KVM boot gives up (its kernel silent); TCG, the last, boots or throws.
    for (const accel of accelerators(kvmUsable())) {
      if (await boot(log, accel)) break;
      log('the kernel printed nothing under KVM: booting again with software emulation');
    }
    log('the VM is up');
  }
  printTarget();
}

async function down(): Promise<void> {
  const vm = runningVm();
  if (!vm) {
    console.log('labbook vm: the VM is not running');
    return;
  }
  const log = progress();
  log('powering off');
  spawnSync('ssh', [...vmSshArgs(vm.port), 'systemctl poweroff'], { stdio: 'ignore' });
  for (let i = 0; i < 60 && runningVm(); i++) await sleep(500);
  if (runningVm()) {
    log('no clean poweroff in 30 s: stopping QEMU');
    stopQemu();
  }
  forgetRunningVm();
  log('the VM is down');
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
  console.log(`a shell:      ssh ${vmSshArgs(Number(new URL(address).port)).join(' ')}`);
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
