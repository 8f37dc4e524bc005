/**
 * A VM's image: a Debian disk image, kernel and initramfs made by build.sh from the guest
 * packages, and the version that says which build script, suite and packages made it (an
 * image made otherwise lacks what this one adds, so it is built again).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VmImage } from '../../src/cells/matrix.ts';
import { TargetError } from '../target.ts';
import type { Progress } from './console.ts';
import { guestMasked, guestPackages } from './packages.ts';
import { vmDir, vmFile } from './state.ts';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');
const HEARTBEAT_MS = 15_000;

/** The hash of the build script, the suite and the guest packages. */
function imageVersion(image: VmImage): string {
  return createHash('sha256')
    .update(readFileSync(BUILD))
    .update(image.suite)
    .update(guestPackages(image.release).join(','))
    .update(guestMasked().join(','))
    .digest('hex')
    .slice(0, 16);
}

/** The version of the image in its directory, if it is whole. */
export function builtVersion(image: VmImage): string | undefined {
  if (!existsSync(vmFile(image.name, 'disk.img'))) return undefined;
  try {
    return readFileSync(vmFile(image.name, 'image.version'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs build.sh, printing its steps as they come and a heartbeat while one lasts. */
async function build(image: VmImage, log: Progress): Promise<void> {
  mkdirSync(vmDir(image.name), { recursive: true });
  // A state saved from the old image would resume its memory over the new disk.
  for (const d of ['saved', 'saving']) rmSync(vmFile(image.name, d), { recursive: true, force: true });
  log(`building the ${image.name} image (Debian ${image.suite}) in ${vmDir(image.name)} (about 2 to 4 minutes)`);
  const child = spawn(
    'bash',
    [BUILD, vmDir(image.name), image.suite, guestPackages(image.release).join(','), guestMasked().join(' ')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let step = '';
  const heartbeat = setInterval(() => log(`  still at ${step}`, true), HEARTBEAT_MS);
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    for (const line of text.split('\n')) {
      if (!line.startsWith('step ')) continue;
      step = line.slice(5);
      log(step);
    }
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(heartbeat);
  if (code !== 0) {
    throw new TargetError(`labbook vm: the ${image.name} build failed (its log: ${vmFile(image.name, 'build.log')})`);
  }
  writeFileSync(vmFile(image.name, 'image.version'), `${imageVersion(image)}\n`);
}

/** Uses the image in its directory if this build script, suite and packages made it; builds it otherwise. Returns its version. */
export async function ensureImage(image: VmImage, log: Progress): Promise<string> {
  const built = builtVersion(image);
  if (built === imageVersion(image)) return built;
  if (built) log(`the ${image.name} image was made by an older build script: building it again`);
  await build(image, log);
  return imageVersion(image);
}
