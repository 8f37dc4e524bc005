/**
 * The VM's image: a Debian disk image, kernel and initramfs made by build.sh from the guest
 * packages, and the version that says which build script and packages made it (an image made
 * otherwise lacks what this one adds, so it is built again).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TargetError } from '../target.ts';
import type { Progress } from './console.ts';
import { guestPackages } from './packages.ts';
import { vmDir, vmFile } from './state.ts';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');
const HEARTBEAT_MS = 15_000;

/** The build script's and the guest packages' hash. */
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

/** Runs build.sh, printing its steps as they come and a heartbeat while one lasts. */
async function build(log: Progress): Promise<void> {
  log(`building the VM image in ${vmDir()} (about 2 to 4 minutes)`);
  const child = spawn('bash', [BUILD, vmDir(), guestPackages().join(',')], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  if (code !== 0) throw new TargetError('labbook vm: the build failed (its log is in build.log in the VM directory)');
  writeFileSync(vmFile('image.version'), `${imageVersion()}\n`);
}

/** Uses the image in the VM directory if this build script and these packages made it; builds it otherwise. */
export async function ensureImage(log: Progress): Promise<void> {
  if (imageIsCurrent()) {
    log(`using the image in ${vmDir()}`);
    return;
  }
  if (existsSync(vmFile('disk.img'))) log('the image was made by an older build script: building it again');
  await build(log);
}
