/**
 * How long `labbook vm up` of a built image takes to reach SSH, resumed from its saved state,
 * against a cold boot of the same image in the same run: from no QEMU process running to
 * `ssh true` answering, for every image of the matrix (each must be built and saved once:
 * `labbook vm up`). The bound is 10 s without KVM. The cold boot starts from the
 * saved disk overlay with -snapshot, so it also replays the journal of the boot that saved it:
 * a first boot of a new image has that to do too.
 */

import { coldBootSeconds } from '../runner/vm/start.ts';
import { runningVm } from '../runner/vm/state.ts';
import { vmDown, vmUp } from '../runner/vm/vm.ts';
import { vmImages } from '../src/cells/matrix.ts';
import { report } from './figure.ts';

const quiet = () => undefined;
for (const image of vmImages()) {
  if (runningVm(image.name)) await vmDown(image, quiet);
  const t0 = performance.now();
  await vmUp(image, quiet);
  const resumed = (performance.now() - t0) / 1000;
  await vmDown(image, quiet);
  const cold = await coldBootSeconds(image);
  report({
    figure: `vm:${image.name} up, resumed from its saved state, to ssh true`,
    value: resumed,
    anchor: 'a cold boot of the same image to ssh true',
    anchorValue: cold,
    unit: 's',
    target: 'under 10 s without KVM',
  });
}
