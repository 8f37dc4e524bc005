/**
 * A chapter's recording as an asciinema recording (asciicast v2 or v3), to replay or to
 * share: each shown cell is a marker, its command typed at a prompt, then its output at the
 * times it came (timing.ts), in the terminal the cells ran in (100 x 30).
 *
 *   recording of namespace on local, cell ns-hello (output "box\r\n" at 4 ms, 12 ms in all)
 *   -> v2: {"version":2,"width":100,"height":30,"timestamp":...,"title":"namespace on local"}
 *          [0.5,"m","ns-hello"]  [0.5,"o","$ hostname\r\n"]  [0.804,"o","box\r\n"] ...
 *   -> v3: {"version":3,"term":{"cols":100,"rows":30,"type":"xterm-256color"},...}
 *          [0.5,"m","ns-hello: exit 0"]  [0,"o","$ hostname\r\n"]  [0.304,"o","box\r\n"] ...
 *          [0.5,"x","0"]   (times since the previous event; the exit status: 1 if a cell failed)
 *
 * v2's times are absolute; v3's are intervals, its markers also say how each cell ended.
 * Hidden, setup and teardown cells are left out, as the page leaves them out.
 */
import { didNotPass } from './compare.ts';
import type { Cell } from './parse.ts';
import { reasonText } from './reasons.ts';
import type { CellRecording, Recording } from './recording.ts';
import { TERMINAL_COLS, TERMINAL_ROWS } from './terminal.ts';
import { pieces } from './timing.ts';

export type AsciicastVersion = 2 | 3;

/** Before each cell, and after its command is typed: a pause a viewer can follow. */
const PAUSE_S = 0.5;
const TYPED_S = 0.3;

const PROMPT = '\x1b[1;32m$\x1b[0m ';
const MORE = '\x1b[1;32m>\x1b[0m ';

/** The command as typed at bash's prompts: `$ ` before the first line, `> ` before the others. */
function typed(code: string): string {
  return `${code
    .split('\n')
    .map((line, i) => (i ? MORE : PROMPT) + line)
    .join('\r\n')}\r\n`;
}

/** How a cell that did not pass ended, dimmed, on a line of its own. */
function ending(run: CellRecording): string {
  if (run.status === 'passed') return '';
  const why = reasonText(run);
  const newline = run.output && !run.output.endsWith('\n') ? '\r\n' : '';
  return `${newline}\x1b[2m[${run.status}${why ? `: ${why}` : ''}]\x1b[0m\r\n`;
}

type Event = [seconds: number, code: 'o' | 'm' | 'x', data: string];

export function asciicast(recording: Recording, cells: Cell[], version: AsciicastVersion): string {
  const shown = new Map(cells.filter((c) => !c.hidden).map((c) => [c.id, c]));
  const events: Event[] = [];
  let clock = 0;
  let failed = false;
  for (const run of recording.cells) {
    const cell = shown.get(run.id);
    if (!cell) continue;
    failed ||= didNotPass(run.status);
    clock += PAUSE_S;
    const label = version === 3 ? `${run.id}: ${run.exitCode === null ? run.status : `exit ${run.exitCode}`}` : run.id;
    events.push([clock, 'm', label]);
    // The code of a recording made from other code is not this chapter's: its command is not shown.
    if (cell.hash === run.hash) events.push([clock, 'o', typed(cell.code)]);
    clock += TYPED_S;
    for (const { ms, text } of pieces(run.output, run.timing)) events.push([clock + ms / 1000, 'o', text]);
    clock += run.durationMs / 1000;
    const end = ending(run);
    if (end) events.push([clock, 'o', end]);
  }
  if (version === 3) events.push([clock + PAUSE_S, 'x', failed ? '1' : '0']);
  const timestamp = Math.floor(Date.parse(recording.recordedAt) / 1000);
  const title = `${recording.chapter} on ${recording.environment.target}`;
  const header =
    version === 2
      ? { version: 2, width: TERMINAL_COLS, height: TERMINAL_ROWS, timestamp, title }
      : { version: 3, term: { cols: TERMINAL_COLS, rows: TERMINAL_ROWS, type: 'xterm-256color' }, timestamp, title };
  const round = (s: number) => Math.round(s * 1000) / 1000;
  let previous = 0;
  const lines = events.map(([at, code, data]) => {
    const time = version === 2 ? round(at) : round(at - previous);
    previous = at;
    return JSON.stringify([time, code, data]);
  });
  return `${[JSON.stringify(header), ...lines].join('\n')}\n`;
}
