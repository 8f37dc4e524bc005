/** Problems as one text for an assertion ('' when none), each with its diff: a failed test shows them whole. */
import type { Problem } from '../src/cells/compare.ts';

export const problemText = (problems: Problem[]): string =>
  problems.map((p) => (p.diff ? `${p.message}\n${p.diff}` : p.message)).join('\n');
