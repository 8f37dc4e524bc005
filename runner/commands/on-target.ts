/** The target a command's `--target` names, ready for labs, and closed whatever happens. */
import { baselineProblem } from '../setup.ts';
import { LOCAL, type Target } from '../target.ts';
import { parseTarget } from '../target-parse.ts';

interface TargetValues {
  target?: string;
  identity?: string;
  'known-hosts'?: string;
}

export async function onTarget(values: TargetValues, work: (target: Target) => Promise<number>): Promise<number> {
  const target = parseTarget(values.target, { identity: values.identity, knownHosts: values['known-hosts'] });
  try {
    // A remote target checks its own baseline when it connects.
    const lacking = target === LOCAL ? baselineProblem() : undefined;
    if (lacking) {
      console.error(`labbook: ${lacking}`);
      return 2;
    }
    return await work(target);
  } finally {
    await target.close();
  }
}
