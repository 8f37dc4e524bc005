/**
 * The packages of `labbook vm`, from the one package map (src/cells/packages.ts): what this
 * host needs to build and boot the VM (the map's "vm" group, installed as `labbook setup`
 * does), and what the guest gets (labbook's baseline and the cells' commands).
 */
import { toolsOf, unitsOf } from '../../src/cells/packages.ts';
import { ensureTools, installPlan } from '../setup.ts';
import { TargetError } from '../target.ts';

/** The guest's Debian packages for a release: the same map as `labbook setup` (baseline and the cells' commands). */
export function guestPackages(release: number): string[] {
  return installPlan('debian', toolsOf(['baseline', 'cells']), release).packages;
}

/** The units the guest's packages enable, which the guest masks: its labs start their own daemons. */
export function guestMasked(): string[] {
  return unitsOf(toolsOf(['baseline', 'cells']));
}

/** Installs what building and booting the VM needs here (qemu, debootstrap...), or says what is missing. */
export async function ensureHostTools(): Promise<void> {
  if ((await ensureTools({ groups: ['vm'], as: 'labbook vm' })) !== 0) {
    throw new TargetError('labbook vm: the tools above are needed to build and boot the VM');
  }
}
