/**
 * How a VM of the matrix starts: a boot that saves the booted guest (the disk overlay as
 * booting left it, QEMU's memory and devices through QMP's migrate), then a resume from that
 * state for every start, with the guest's clock set; a cold boot for the bench. Which accelerator: KVM where it works, and a host whose KVM leaves the
 * kernel silent is remembered.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VmImage } from '../../src/cells/matrix.ts';
import { runCommand, shq, TargetError } from '../target.ts';
import type { Progress } from './console.ts';
import { builtVersion } from './image.ts';
import {
  type Accel,
  accelerators,
  describeAccel,
  kvmUsable,
  QEMU,
  type QemuOptions,
  savedDisk,
  savedState,
  startQemu,
  stateCommandLine,
  stateDir,
  stopQemu,
} from './qemu.ts';
import { Qmp } from './qmp.ts';
import { runningVm, vmDir, vmFile, vmRoot, vmSshArgs } from './state.ts';

const BOOT_TIMEOUT_S = 300;
/** A kernel that prints nothing this long under KVM is stuck (nested KVM that does not work). */
const KVM_SILENT_S = 15;
const RESUME_TIMEOUT_S = 60;

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

/** Picks a port, pins the guest's host key for it, and starts QEMU. */
async function startOn(image: VmImage, accel: Accel, start: QemuOptions['start']): Promise<number> {
  const port = await freePort();
  writeFileSync(vmFile(image.name, 'port'), `${port}\n`);
  // The guest's host key, pinned for this port: the first connection is already checked.
  const key = readFileSync(vmFile(image.name, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(vmFile(image.name, 'known_hosts'), `[127.0.0.1]:${port} ${key}\n`, { mode: 0o600 });
  rmSync(vmFile(image.name, 'console.log'), { force: true });
  // What the VM runs with, for those that scale their timeouts to it (runningAccel).
  writeFileSync(vmFile(image.name, 'accel'), `${accel}\n`);
  await startQemu({ dir: vmDir(image.name), port, accel, start });
  return port;
}

/**
 * Waits for `ssh true`. After a boot (not a resume, whose guest prints nothing), false if the
 * kernel stayed silent under KVM (QEMU is then stopped).
 */
async function waitForSsh(
  image: VmImage,
  port: number,
  { accel, start }: Pick<QemuOptions, 'accel' | 'start'>,
  timeoutS: number,
  log: Progress,
): Promise<boolean> {
  const t0 = performance.now();
  let reported = 0;
  for (let waited = 0; waited < timeoutS; waited = (performance.now() - t0) / 1000) {
    const r = spawnSync('ssh', [...vmSshArgs(image.name, port), 'true'], { stdio: 'ignore' });
    if (r.status === 0) return true;
    const consoleLog = vmFile(image.name, 'console.log');
    const printed = existsSync(consoleLog) ? statSync(consoleLog).size : 0;
    if (accel === 'kvm' && start !== 'resume' && waited >= KVM_SILENT_S && printed === 0) {
      await stopQemu(image.name);
      return false;
    }
    if (!runningVm(image.name)) throw new TargetError(`labbook vm: QEMU of ${image.name} ended: see ${consoleLog}`);
    if (waited - reported >= 10) {
      reported = waited;
      log(`  waiting for SSH (console: ${printed} bytes)`, true);
    }
    await sleep(200);
  }
  await stopQemu(image.name);
  throw new TargetError(
    `labbook vm: no SSH from ${image.name} after ${timeoutS} s: see ${vmFile(image.name, 'console.log')}`,
  );
}

/**
 * Where this host's KVM was found not to work (a kernel silent under it): that QEMU goes
 * straight to software emulation, not through a 15 s wait each start. Not keyed by the host
 * kernel's release, which a sandbox may change under a running machine; removing the file
 * tries KVM again (labbook vm status says so).
 */
export const kvmSilentFile = () => join(vmRoot(), 'kvm-silent');
const kvmSilentKey = (qemu: string) => `${qemu.split('\n')[0]}\n`;

function kvmKnownSilent(qemu: string): boolean {
  try {
    return readFileSync(kvmSilentFile(), 'utf8') === kvmSilentKey(qemu);
  } catch {
    return false;
  }
}

/** The accelerators to try: KVM first where it is usable and not known silent on this host. */
function usableAccelerators(qemu: string): Accel[] {
  return accelerators(kvmUsable() && !kvmKnownSilent(qemu));
}

/**
 * What a saved state was made from: QEMU's version, the boot's command line, the image; and
 * under KVM the host's CPU, whose features the guest saw (-cpu host) and does not see again
 * from the saved state.
 */
function stateVersion(image: VmImage, accel: Accel, qemu: string): string {
  const cpu = accel === 'kvm' ? hostCpu() : '';
  return createHash('sha256')
    .update(qemu)
    .update(stateCommandLine(vmDir(image.name), accel))
    .update(builtVersion(image) ?? '')
    .update(cpu)
    .digest('hex')
    .slice(0, 16);
}

/** The host CPU's model and features, as /proc/cpuinfo gives them for its first CPU. */
function hostCpu(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  return ['model name', 'flags'].map((k) => new RegExp(`^${k}\\s*: (.*)$`, 'm').exec(info)?.[1] ?? '').join('\n');
}

const stateVersionFile = (image: VmImage) => join(stateDir(vmDir(image.name), 'resume'), 'version');

function savedStateIs(image: VmImage, version: string): boolean {
  try {
    return (
      existsSync(savedState(vmDir(image.name))) && readFileSync(stateVersionFile(image), 'utf8').trim() === version
    );
  } catch {
    return false;
  }
}

/**
 * Boots the image from its disk, waits for SSH, and saves the guest's state: the disk
 * overlay as booting left it and QEMU's memory and devices. False if KVM stayed silent.
 */
async function bootAndSave(image: VmImage, accel: Accel, version: string, log: Progress): Promise<boolean> {
  const dir = vmDir(image.name);
  const saving = stateDir(dir, 'boot');
  rmSync(saving, { recursive: true, force: true });
  mkdirSync(saving);
  const disk = savedDisk(dir, 'boot');
  await runCommand('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(dir, 'disk.img'), '-F', 'raw', disk]);
  log(`booting ${image.name} with ${describeAccel(accel)} to save its state (once per image and QEMU)`);
  const port = await startOn(image, accel, 'boot');
  if (!(await waitForSsh(image, port, { accel, start: 'boot' }, BOOT_TIMEOUT_S, log))) {
    rmSync(saving, { recursive: true, force: true });
    return false;
  }
  // Saved once booting is over (services started, udev's modules loaded), so that every resume
  // starts from a settled guest; whether systemd calls it "running" or "degraded" does not matter.
  const settle = 'timeout 120 systemctl is-system-running --wait; timeout 60 udevadm settle; sync';
  spawnSync('ssh', [...vmSshArgs(image.name, port), settle], { stdio: 'ignore' });
  const qmp = await Qmp.connect(vmFile(image.name, 'qmp.sock'));
  try {
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `exec:cat > ${shq(savedState(dir, 'boot'))}` });
    for (;;) {
      const { status, 'error-desc': error } = (await qmp.execute('query-migrate')) as {
        status: string;
        'error-desc'?: string;
      };
      if (status === 'completed') break;
      if (status === 'failed' || status === 'cancelled')
        throw new TargetError(`labbook vm: saving ${image.name} failed: ${error ?? status}`);
      await sleep(100);
    }
    await qmp.execute('quit').catch(() => undefined);
  } finally {
    qmp.close();
  }
  await stopQemu(image.name);
  writeFileSync(join(saving, 'version'), `${version}\n`);
  // The state there was goes only now that the new one is whole.
  rmSync(stateDir(dir, 'resume'), { recursive: true, force: true });
  renameSync(saving, stateDir(dir, 'resume'));
  log(`saved ${image.name}'s state (${(statSync(savedState(dir)).size / 2 ** 20).toFixed(0)} MiB)`);
  return true;
}

/**
 * Boots the image without its saved state, to `ssh true`, and stops it: what every start
 * cost before states were saved. Seconds from no QEMU to SSH (bench/vm-start.ts).
 */
export async function coldBootSeconds(image: VmImage): Promise<number> {
  if (runningVm(image.name)) throw new TargetError(`labbook vm: ${image.name} runs: stop it first`);
  const [accel = 'tcg'] = usableAccelerators(await runCommand(QEMU, ['--version']));
  const t0 = performance.now();
  const port = await startOn(image, accel, 'cold');
  try {
    await waitForSsh(image, port, { accel, start: 'cold' }, BOOT_TIMEOUT_S, () => undefined);
    return (performance.now() - t0) / 1000;
  } finally {
    await stopQemu(image.name);
  }
}

/**
 * Resumes the image from its saved state, waits for SSH and sets the guest's clock (its
 * random generator reseeds itself on the new VM generation ID, qemu.ts).
 */
async function resume(image: VmImage, accel: Accel, log: Progress): Promise<void> {
  const port = await startOn(image, accel, 'resume');
  // The state was saved stopped, so it loads stopped: QEMU goes on once it has it all.
  const qmp = await Qmp.connect(vmFile(image.name, 'qmp.sock'));
  try {
    for (let t0 = performance.now(); ; await sleep(50)) {
      const { status } = (await qmp.execute('query-status')) as { status: string };
      if (status === 'paused' || status === 'postmigrate') break;
      if (status !== 'inmigrate') throw new TargetError(`labbook vm: resuming ${image.name}: QEMU is ${status}`);
      if (performance.now() - t0 > RESUME_TIMEOUT_S * 1000)
        throw new TargetError(`labbook vm: ${image.name}'s saved state did not load in ${RESUME_TIMEOUT_S} s`);
    }
    await qmp.execute('cont');
  } finally {
    qmp.close();
  }
  await waitForSsh(image, port, { accel, start: 'resume' }, RESUME_TIMEOUT_S, log);
  // The guest's clock stopped when its state was saved. Set to the host's time when ssh
  // started, it is behind by the connection's setup (under a second, even emulated).
  const now = Date.now() / 1000;
  const r = spawnSync('ssh', [...vmSshArgs(image.name, port), `date -u -s @${now.toFixed(3)} >/dev/null`]);
  if (r.status !== 0) throw new TargetError(`labbook vm: setting ${image.name}'s clock failed: ${r.stderr}`);
}

/**
 * Starts the image's VM (built, not running): from its saved state, saved first if there is
 * none from this QEMU, command line and image. KVM first where it works.
 */
export async function startVm(image: VmImage, log: Progress): Promise<void> {
  const t0 = performance.now();
  const qemu = await runCommand(QEMU, ['--version']);
  for (const accel of usableAccelerators(qemu)) {
    const version = stateVersion(image, accel, qemu);
    if (!savedStateIs(image, version) && !(await bootAndSave(image, accel, version, log))) {
      log('the kernel printed nothing under KVM: booting again with software emulation (and from now on)');
      writeFileSync(kvmSilentFile(), kvmSilentKey(qemu));
      continue;
    }
    try {
      await resume(image, accel, log);
    } catch (e) {
      // A state QEMU cannot load (its firmware changed without its version) is saved again, once.
      if (!(e instanceof TargetError)) throw e;
      log(`${(e as Error).message}: saving the state again`);
      await stopQemu(image.name);
      if (!(await bootAndSave(image, accel, version, log))) throw e;
      await resume(image, accel, log);
    }
    log(`${image.name} is up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return;
  }
  throw new TargetError(`labbook vm: ${image.name} did not start`);
}
