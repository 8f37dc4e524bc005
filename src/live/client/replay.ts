/**
 * A recorded cell played again in its live terminal, at the pace its output came (the
 * recording's timing, src/cells/timing.ts). The recording is the one the figure shows (its
 * data-entry), fetched on the first Replay of its chapter: the build emits each recording as
 * a file of its own, and this module holds only their addresses.
 */
import { matrixEntry, recordingDir } from '../../cells/matrix.ts';
import type { CellRecording, Recording } from '../../cells/recording.ts';
import { pieces } from '../../cells/timing.ts';

const RECORDINGS = import.meta.glob<string>('../../content/recordings/*/*.json', { query: '?url', import: 'default' });

/** The recording of the figure's cell on the entry the figure shows. */
export async function recordedCell(figure: HTMLElement): Promise<CellRecording> {
  const entry = matrixEntry(figure.dataset.entry ?? '');
  const key = entry && `../../content/recordings/${recordingDir(entry)}/${figure.dataset.chapter}.json`;
  const url = key && (await RECORDINGS[key]?.());
  if (!url) throw new Error(`no recording of ${figure.dataset.chapter} on ${figure.dataset.entry}`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  const recording = (await response.json()) as Recording;
  const cell = recording.cells.find((c) => c.id === figure.dataset.cell);
  if (!cell) throw new Error(`the recording has no cell "${figure.dataset.cell}"`);
  return cell;
}

/**
 * Writes each piece at its time after the start; resolves when all are written, or false as
 * soon as `stopped` says so (Interrupt).
 */
export async function play(
  run: CellRecording,
  write: (text: string) => void,
  stopped: () => boolean,
): Promise<boolean> {
  const start = performance.now();
  for (const { ms, text } of pieces(run.output, run.timing)) {
    while (performance.now() - start < ms) {
      if (stopped()) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, ms - (performance.now() - start))));
    }
    if (stopped()) return false;
    write(text);
  }
  return true;
}
