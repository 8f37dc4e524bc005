/**
 * `labbook vm up|down|status|target [IMAGE...]`: the matrix's disposable Debian VMs (one
 * per image of src/cells/matrix.ts; all of them when none is named). An image is built from
 * Debian's packages (image.ts, build.sh), booted once with QEMU to save its state, and from
 * then on resumed from that state in seconds (start.ts, qemu.ts); it is reached over SSH
 * with its own key and pinned host key (state.ts). The host's tools come from the package
 * map (packages.ts), the progress lines from console.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { type VmImage, vmImages } from '../../src/cells/matrix.ts';
import { TargetError } from '../target.ts';
import { type Progress, progress } from './console.ts';
import { ensureImage } from './image.ts';
import { ensureHostTools } from './packages.ts';
import { savedState, stopQemu } from './qemu.ts';
import { kvmSilentFile, startVm } from './start.ts';
import { runningVm, vmDir, vmFile, vmSshArgs, vmTargetOptions } from './state.ts';

/** The images `names` say (all of the matrix's when none), or an error naming those there are. */
export function imagesNamed(names: string[]): VmImage[] {
  const all = vmImages();
  if (!names.length) return all;
  return names.map((n) => {
    const image = all.find((i) => i.name === n || `vm:${i.name}` === n);
    if (!image)
      throw new TargetError(`labbook vm: no image "${n}": the matrix has ${all.map((i) => i.name).join(', ')}`);
    return image;
  });
}

/**
 * Makes the image's VM run: built if need be, its state saved if need be, then resumed.
 * Returns false if it already ran (then it is left as it is).
 */
export async function vmUp(image: VmImage, log: Progress): Promise<boolean> {
  if (process.getuid?.() !== 0) throw new TargetError('labbook vm up: building and booting a VM needs root');
  const running = runningVm(image.name);
  if (running) {
    log(`${image.name} already runs (pid ${running.pid})`);
    return false;
  }
  await ensureHostTools();
  await ensureImage(image, log);
  await startVm(image, log);
  return true;
}

/** Stops the image's VM: its disk writes were QEMU's -snapshot, so there is nothing to keep. */
export async function vmDown(image: VmImage, log: Progress): Promise<void> {
  if (!runningVm(image.name)) return;
  await stopQemu(image.name);
  log(`${image.name} is down`);
}

function status(image: VmImage): boolean {
  const built = existsSync(vmFile(image.name, 'disk.img'));
  const vm = runningVm(image.name);
  console.log(`${image.name} (Debian ${image.suite}), in ${vmDir(image.name)}:`);
  console.log(
    `  image: ${built ? `built ${statSync(vmFile(image.name, 'disk.img')).mtime.toISOString()}` : 'not built ("labbook vm up" builds it)'}`,
  );
  console.log(`  saved state: ${existsSync(savedState(vmDir(image.name))) ? 'yes' : 'none yet'}`);
  console.log(vm ? `  running: QEMU pid ${vm.pid}, SSH on 127.0.0.1:${vm.port}` : '  not running');
  return !!vm;
}

function printTarget(image: VmImage): void {
  const { address, identity, knownHosts } = vmTargetOptions(image.name);
  console.log(
    `--target vm:${image.name}   (the same as: --target ${address} --identity ${identity} --known-hosts ${knownHosts})`,
  );
  console.log(`  a shell: ssh ${vmSshArgs(image.name, Number(new URL(address).port)).join(' ')}`);
}

export async function vmCommand(action: string | undefined, names: string[]): Promise<number> {
  const images = imagesNamed(names);
  const log = progress();
  switch (action) {
    case 'up':
      for (const image of images) await vmUp(image, log);
      for (const image of images) printTarget(image);
      console.log('for example:  npx labbook check virtual-nics --target vm');
      return 0;
    case 'down':
      for (const image of images) {
        if (runningVm(image.name)) await vmDown(image, log);
        else console.log(`labbook vm: ${image.name} is not running`);
      }
      return 0;
    case 'status': {
      const up = images.map(status);
      if (existsSync(kvmSilentFile())) {
        console.log(
          `KVM: found not to work with this QEMU, so software emulation (remove ${kvmSilentFile()} to try KVM again)`,
        );
      }
      return up.every(Boolean) ? 0 : 3;
    }
    case 'target':
      for (const image of images) printTarget(image);
      return 0;
    default:
      throw new TargetError(`labbook vm: say up, down, status or target${action ? `, not "${action}"` : ''}`);
  }
}
