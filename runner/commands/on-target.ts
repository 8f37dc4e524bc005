/**
 * The targets a command's `--target` names, each ready for labs and closed whatever happens.
 * A VM of the matrix that is not running is started for the command (resumed from its saved
 * state, seconds) and stopped after it; one already up is used and left as it is.
 */
import { matrixEntry } from '../../src/cells/matrix.ts';
import { baselineProblem } from '../setup.ts';
import { LOCAL, type Target } from '../target.ts';
import { expandTargets, parseTarget } from '../target-parse.ts';
import { progress } from '../vm/console.ts';
import { runningAccel, runningVm } from '../vm/state.ts';
import { vmDown, vmUp } from '../vm/vm.ts';
import { timeoutScale } from './command.ts';

interface TargetValues {
  target?: string;
  identity?: string;
  'known-hosts'?: string;
  'timeout-scale'?: string;
}

export interface OnTarget {
  target: Target;
  /** What --target said for it ("local" when nothing). */
  spec: string;
  timeoutScale: number;
}

/** A VM without KVM runs cells about ten times slower (bench/timeouts.ts). */
const EMULATED_SCALE = 10;

/** --timeout-scale when given; otherwise 10 on a VM of the matrix that runs without KVM, 1 elsewhere. */
export function scaleFor(spec: string, given: string | undefined): number {
  if (given !== undefined) return timeoutScale(given);
  const image = matrixEntry(spec)?.vm;
  return image && runningAccel(image.name) === 'tcg' ? EMULATED_SCALE : 1;
}

/** Runs `work` on the one target --target names (`matrix` and `vm` are refused: they name several). */
export async function onTarget(values: TargetValues, work: (on: OnTarget) => Promise<number>): Promise<number> {
  const spec = values.target ?? 'local';
  const image = matrixEntry(spec)?.vm;
  const log = progress();
  const started = image && !runningVm(image.name) ? await vmUp(image, log) : false;
  try {
    const target = parseTarget(spec, { identity: values.identity, knownHosts: values['known-hosts'] });
    try {
      // A remote target checks its own baseline when it connects.
      const lacking = target === LOCAL ? baselineProblem() : undefined;
      if (lacking) {
        console.error(`labbook: ${lacking}`);
        return 2;
      }
      return await work({ target, spec, timeoutScale: scaleFor(spec, values['timeout-scale']) });
    } finally {
      await target.close();
    }
  } finally {
    if (image && started) await vmDown(image, log);
  }
}

/** Runs `work` on every target --target names (`matrix`: each entry in turn); returns the worst exit code. */
export async function onTargets(values: TargetValues, work: (on: OnTarget) => Promise<number>): Promise<number> {
  let worst = 0;
  for (const spec of expandTargets(values.target)) {
    worst = Math.max(worst, await onTarget({ ...values, target: spec }, work));
  }
  return worst;
}
