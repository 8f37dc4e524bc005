/**
 * Which recorded run of a cell the page's Compare button compares a live run with: that of the
 * runner's own entry of the matrix when the figure has a line for it (its .lab-kernels list,
 * src/site/matrix-view.ts), else the main run that the figure shows (a runner outside the
 * matrix, an ssh:// address or a command, or one on the main entry itself, which has no line).
 * A reader whose runner is vm:debian13 is thus compared with what Debian 13 recorded, not told
 * that a cell Debian 13 skips "differs" from the host that ran it.
 *
 *   runner "vm:debian13", figure data-entry="local":
 *     <li data-entry="vm:debian13" data-verdict="skipped" data-status="skipped" data-reason="needs cgroup-v1, ...">
 *       -> { entry: 'vm:debian13', run: { status: 'skipped', output: '', reason: 'needs cgroup-v1, ...' } }
 *     <li data-entry="vm:debian13" data-verdict="differs" data-status="passed">...<pre class="lab-terminal">cgroup2fs</pre>
 *       -> { entry: 'vm:debian13', run: { status: 'passed', output: 'cgroup2fs' } }
 *     <li data-entry="vm:debian13" data-verdict="same">   -> { entry: 'vm:debian13', run: the main run }
 *     <li data-entry="vm:debian13" data-verdict="missing"> -> { entry: 'vm:debian13', run: undefined }
 *   runner "ssh://me@box" or "local"                      -> { entry: 'local', run: the main run }
 */
import type { CellRun } from '../../cells/compare.ts';
import type { CellStatus } from '../../cells/recording.ts';

/** What is read of the page: a DOM Element has all of it. */
export interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selectors: string): PageElement | null;
  querySelectorAll(selectors: string): Iterable<PageElement>;
}

/** The entry whose recording a live run is compared with, and that recording; none: not recorded there. */
export interface RecordedRun {
  entry: string;
  run: CellRun | undefined;
}

/** The words of each status: a status outside them ('none' for a cell never recorded) is no recording. */
type Statuses = Readonly<Record<CellStatus, unknown>>;

const statusOf = (value: string | null | undefined, statuses: Statuses): CellStatus | undefined =>
  value && Object.hasOwn(statuses, value) ? (value as CellStatus) : undefined;

/** An output as the page shows it, which is what the live terminal's text is compared with. */
const textOf = (shown: PageElement | null) => (shown?.textContent ?? '').trimEnd();

/**
 * The main recording as the figure shows it: its status badge and its output (a data cell's
 * snapshot, or the terminal), not those of the other kernels' lines under it.
 */
function mainRun(figure: PageElement, statuses: Statuses): CellRun | undefined {
  const status = statusOf(figure.querySelector('.lab-meta .lab-status')?.getAttribute('data-status'), statuses);
  if (!status) return undefined;
  const shown =
    figure.querySelector('.lab-snapshot pre:not(.lab-kernels *)') ??
    figure.querySelector('pre.lab-terminal:not(.lab-kernels *)');
  return { status, output: textOf(shown) };
}

/** A line's recorded reason (a skip's, an error's), when it has one. */
const reasonOf = (line: PageElement): Pick<CellRun, 'reason'> => {
  const reason = line.getAttribute('data-reason');
  return reason ? { reason } : {};
};

/** The recording that a run on `target` (the runner's ready message names it) is compared with. */
export function recordedRun(figure: PageElement, target: string | undefined, statuses: Statuses): RecordedRun {
  const main = { entry: figure.getAttribute('data-entry') ?? '', run: mainRun(figure, statuses) };
  // Compared by value, not put into a selector: a command target's name may hold quotes.
  const line = [...figure.querySelectorAll('.lab-kernels li')].find((li) => li.getAttribute('data-entry') === target);
  if (target === undefined || !line) return main;
  switch (line.getAttribute('data-verdict')) {
    // The build found its run the same as the main one by compareCell: comparing with either is alike.
    case 'same':
      return { entry: target, run: main.run };
    case 'skipped':
      return { entry: target, run: { status: 'skipped', output: '', ...reasonOf(line) } };
    case 'differs': {
      const status = statusOf(line.getAttribute('data-status'), statuses);
      // Its own output, which the line holds after the diff or after its status.
      const shown = line.querySelector('.lab-snapshot pre') ?? line.querySelector('pre.lab-terminal');
      return { entry: target, run: status && { status, output: textOf(shown), ...reasonOf(line) } };
    }
    default:
      // 'missing': that entry has no recording of the cell's current code.
      return { entry: target, run: undefined };
  }
}
