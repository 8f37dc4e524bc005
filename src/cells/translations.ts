/**
 * Both languages of a chapter hold the same cells: same ids in the same order, the same
 * code and attributes. Only `claim`, `title` and `axes` are translated. One recording serves both.
 */
import { CellError } from './errors.ts';
import type { Cell, Chapter } from './parse.ts';

const SAME: (keyof Cell)[] = [
  'session',
  'timeoutMs',
  'exit',
  'requires',
  'check',
  'role',
  'hidden',
  'compare',
  'data',
  'expect',
  'code',
];

export function translationErrors(source: Chapter, translation: Chapter): CellError[] {
  const errors: CellError[] = [];
  const fix = `make it match ${source.file}: same ids in the same order, same code and attributes (only claim=, title= and axes= are translated)`;
  const n = Math.max(source.cells.length, translation.cells.length);
  for (let i = 0; i < n; i++) {
    const a = source.cells[i];
    const b = translation.cells[i];
    const line = b?.line ?? translation.cells.at(-1)?.line ?? 1;
    if (!a || !b || a.id !== b.id) {
      const what = !b
        ? `lacks the cell "${a?.id}"`
        : !a
          ? `has an extra cell "${b.id}"`
          : `has "${b.id}" where the source has "${a.id}"`;
      errors.push(new CellError(translation.file, line, `the translation ${what}`, fix));
      break;
    }
    const differs = SAME.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    if (differs.length) {
      errors.push(
        new CellError(
          translation.file,
          line,
          `the cell "${b.id}" differs from the source in ${differs.join(', ')}`,
          fix,
        ),
      );
    }
  }
  if (JSON.stringify(source.sessions) !== JSON.stringify(translation.sessions)) {
    errors.push(new CellError(translation.file, 1, 'lab.sessions differs from the source', fix));
  }
  return errors;
}
