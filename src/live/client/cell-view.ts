/**
 * A cell's live side, made on its first Run: a toolbar, an xterm.js terminal the size of
 * the recordings (100 x 30), the status of the run, and a comparison with the recording by
 * the comparer of `labbook check` (src/cells/compare.ts): that of the runner's own entry of the
 * matrix when the page has it, else the main one (recorded-run.ts). Output is acknowledged to
 * the runner as the terminal has written it (flow control).
 */
import { Terminal } from '@xterm/xterm';
import xtermCss from '@xterm/xterm/css/xterm.css?url';
import { diffLines } from 'diff';
import { type CellRun, type ComparedCell, comparableOutput, compareCell } from '../../cells/compare.ts';
import { formatDuration } from '../../cells/format.ts';
import type { DataKind } from '../../cells/structure/index.ts';
import { TERMINAL_COLS as COLS, TERMINAL_ROWS as ROWS, TERMINAL_THEME } from '../../cells/terminal.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import type { Strings } from './index.ts';
import { recordedRun } from './recorded-run.ts';

const MIN_ROWS = 2;
const ACK_EVERY = 32 * 1024;
const MAX_RAW = 1 << 20;

export interface CellActions {
  runAbove(view: CellView): void;
  interrupt(): void;
  reset(): void;
  ack(bytes: number): void;
}

const encoder = new TextEncoder();

/** xterm's stylesheet, fetched with the client rather than shipped with every page. */
function loadXtermCss(): void {
  if (document.querySelector('link[data-xterm]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = xtermCss;
  link.dataset.xterm = '';
  document.head.append(link);
}

export class CellView {
  readonly figure: HTMLElement;
  private readonly term: Terminal;
  private readonly status: HTMLElement;
  private readonly diff: HTMLElement;
  private readonly root: HTMLElement;
  private readonly t: Strings;
  private unacked = 0;
  /** This run's output as received, for a data cell's drawing (capped like the runner's). */
  private raw = '';
  /** How this run ended, once it has, and what it changed in the kernel when the reader asked. */
  private last?: Pick<CellRun, 'status' | 'reason' | 'change'>;
  private readonly changed: HTMLElement;
  /** The target of the runner that took this run (its ready message's), whose recording Compare takes. */
  private target?: string;
  private ended?: () => void;

  constructor(figure: HTMLElement, t: Strings, actions: CellActions) {
    this.figure = figure;
    this.t = t;
    // not-content: Starlight's spacing between the blocks of an article would part xterm's rows.
    const root = element('section', 'lab-live not-content');
    this.root = root;
    root.setAttribute('aria-label', t.live.output);
    const bar = element('div', 'lab-live-bar');
    const button = (label: string, onClick: () => void) => {
      const b = element('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', onClick);
      bar.append(b);
    };
    button(t.live.runAbove, () => actions.runAbove(this));
    button(t.live.interrupt, () => actions.interrupt());
    button(t.live.reset, () => actions.reset());
    button(t.live.compare, () => this.compare());
    this.status = element('span', 'lab-live-status');
    this.status.setAttribute('role', 'status');
    bar.append(this.status);
    const host = element('div', 'lab-live-term');
    host.style.background = TERMINAL_THEME.background;
    this.diff = element('div', 'lab-live-diff');
    this.diff.hidden = true;
    this.changed = element('div');
    root.append(bar, host, this.changed, this.diff);
    // Inside a check's <details>, after its meta line; elsewhere after the figure's meta line.
    const meta = figure.querySelector('.lab-meta');
    meta?.after(root);
    // A check's own <details>, not one of the other kernels' lines under the meta line.
    figure.querySelector(':scope > details')?.setAttribute('open', '');
    loadXtermCss();
    // screenReaderMode: xterm keeps an accessibility tree of its rows, which a screen reader
    // reads (the rows themselves are drawn for the eye only).
    this.term = new Terminal({
      cols: COLS,
      rows: MIN_ROWS,
      convertEol: false,
      disableStdin: false,
      scrollback: 5000,
      theme: TERMINAL_THEME,
      screenReaderMode: true,
      ...recordedFont(root),
    });
    this.term.open(host);
    // The recorded output's font shrinks with the column (lab.css): the live terminal follows it.
    new ResizeObserver(() => {
      const { fontSize } = recordedFont(root);
      if (fontSize !== this.term.options.fontSize) this.term.options.fontSize = fontSize;
    }).observe(figure);
    // Ctrl-C typed into the terminal interrupts; nothing else is sent to the cell.
    this.term.onData((data) => data === '\x03' && actions.interrupt());
    this.ack = actions.ack;
  }

  private readonly ack: (bytes: number) => void;

  /** Clears the terminal for a new run; resolves when the run ends. */
  start(): Promise<void> {
    // xterm draws its rows, and fills the screen reader's tree of them, only while the terminal
    // is in view: bring it there, as a terminal brings up the output of what was typed.
    this.root.scrollIntoView({ block: 'nearest' });
    this.term.reset();
    this.raw = '';
    this.last = undefined;
    this.changed.replaceChildren();
    this.term.resize(COLS, MIN_ROWS);
    this.diff.hidden = true;
    this.say(this.t.live.running);
    return new Promise((resolve) => {
      this.ended = resolve;
    });
  }

  /** The runner on `target` is ready and takes the run (none: it refused the page for now). */
  running(target: string | undefined): void {
    this.target = target;
    this.say(this.t.live.running);
  }

  say(text: string): void {
    this.status.textContent = text;
  }

  /** Writes output as it comes; a replay's (`fromRunner` false) is not acknowledged to the runner. */
  output(data: string, fromRunner = true): void {
    const bytes = fromRunner ? encoder.encode(data).length : 0;
    if (this.raw.length < MAX_RAW) this.raw += data;
    this.term.write(data, () => {
      this.fit();
      this.unacked += bytes;
      if (this.unacked >= ACK_EVERY) this.flushAck();
    });
  }

  end(m: Extract<ServerMessage, { type: 'end' }>): void {
    this.term.write('', () => {
      this.flushAck();
      const reason = this.t.reason(m);
      this.last = { status: m.status, ...(reason ? { reason } : {}), ...(m.change ? { change: m.change } : {}) };
      if (m.change?.length) this.changed.replaceChildren(this.changeList(m.change));
      this.say(`${this.t.withReason(m.status, reason)} · ${this.t.exit(m.exitCode)} · ${formatDuration(m.durationMs)}`);
      this.status.dataset.status = m.status;
      if (m.status === 'passed' && this.figure.dataset.kind) {
        // The model code and mermaid come only with a data cell's first live run.
        import('./redraw.ts')
          .then(({ redraw }) => redraw(this.figure, this.raw, this.t.drawnLive))
          .catch((e: Error) => this.say(`${this.status.textContent} · ${e.message}`));
      }
      this.ended?.();
      this.ended = undefined;
    });
  }

  /** The live run's change, as the page shows a recorded one (src/site/cell-figure.ts changeList). */
  private changeList(change: string[]): HTMLElement {
    const details = element('details', 'lab-change');
    details.open = true;
    const summary = element('summary');
    summary.textContent = this.t.change(change.length);
    const list = element('ul');
    for (const line of change) {
      const li = element('li');
      li.dataset.op = line[0];
      const code = element('code');
      code.textContent = line;
      li.append(code);
      list.append(li);
    }
    details.append(summary, list);
    return details;
  }

  /** Stops waiting for a run that will not end here (the runner went away). */
  abandon(why: string): void {
    this.say(why);
    this.ended?.();
    this.ended = undefined;
  }

  /** Grows with the output up to the recordings' 30 rows; a full-screen program gets them all. */
  private fit(): void {
    const b = this.term.buffer.active;
    const rows = b.type === 'alternate' ? ROWS : Math.min(ROWS, Math.max(this.term.rows, b.baseY + b.cursorY + 1));
    if (rows !== this.term.rows) this.term.resize(COLS, rows);
  }

  private flushAck(): void {
    if (this.unacked) this.ack(this.unacked);
    this.unacked = 0;
  }

  /**
   * The live run against the recording, by `compareCell`, the comparison `labbook check` makes:
   * the recording of the runner's own entry of the matrix when the figure has a line for it,
   * else the main one (recorded-run.ts). The page has the recorded output as its terminal shows
   * it, so a text cell's live output is taken from this terminal alike (same width, same
   * wrapping); a data cell's snapshot is read into its structure on both sides.
   */
  private compare(): void {
    this.diff.replaceChildren();
    this.diff.hidden = false;
    if (!this.last) {
      this.diff.append(this.t.live.running);
      return;
    }
    const d = this.figure.dataset;
    const cell: ComparedCell = {
      id: d.cell ?? '',
      data: d.kind as DataKind | undefined,
      compare: d.compare === 'status' ? 'status' : 'text',
      volatile: d.volatile,
      expect: d.expect,
    };
    const fresh: CellRun = { ...this.last, output: cell.data ? this.raw : this.screen() };
    const { entry, run: recorded } = recordedRun(this.figure, this.target, this.t.status);
    const { same, problems, compared } = compareCell(cell, fresh, recorded);
    // Whose recording it was: the runner's own kernel's, or the main one. Without any, all of the
    // run is new, as for a cell never recorded.
    if (recorded) {
      const against = element('p', 'lab-live-against');
      against.textContent = this.t.comparedWith(entry);
      this.diff.append(against);
    }
    if (same) {
      this.diff.append(this.t.live.same);
      return;
    }
    const pre = element('pre');
    const line = (kind: 'add' | 'del' | 'same', text: string) => {
      const span = element('span', `lab-diff-${kind}`);
      span.textContent = text.replace(/^(?=.)/gm, kind === 'add' ? '+ ' : kind === 'del' ? '− ' : '  ');
      pre.append(span);
    };
    const status = (r: CellRun) => `${this.t.withReason(r.status, r.reason)}\n`;
    const problem = problems[0];
    if (problem?.kind === 'status' && recorded) {
      line('del', status(recorded));
      line('add', status(fresh));
    } else if (problem?.kind === 'failed') {
      // How this run failed, or which expectation of its snapshot does not hold.
      line('add', fresh.status === 'passed' ? `${problem.message.slice(cell.id.length + 2)}\n` : status(fresh));
    } else {
      // The outputs differ, or there is nothing to compare with: all of this run is new.
      const sides = compared ?? { recorded: '', fresh: comparableOutput(cell, fresh.output) };
      for (const p of diffLines(sides.recorded ? `${sides.recorded}\n` : '', `${sides.fresh}\n`)) {
        line(p.added ? 'add' : p.removed ? 'del' : 'same', p.value);
      }
    }
    this.diff.append(this.t.live.differs, pre);
  }

  /** This terminal's text, as the page's recorded output shows it. */
  private screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').trimEnd();
  }
}

/**
 * The font of the recorded output (.lab-terminal in lab.css), measured on a probe in `within`,
 * so that a live run is drawn as the recording is: the same family and size, and about the same
 * line height (xterm's is a multiple of its glyphs' height, about 1.17 times the font size).
 */
function recordedFont(within: HTMLElement): { fontFamily: string; fontSize: number; lineHeight: number } {
  const probe = element('pre', 'lab-terminal');
  // Out of the flow: measuring must not resize the figure it observes.
  probe.style.cssText = 'position: absolute; visibility: hidden';
  within.append(probe);
  // Read before the probe goes: a removed element's computed style is empty.
  const { fontFamily, fontSize: size, lineHeight: line } = getComputedStyle(probe);
  probe.remove();
  const fontSize = Number.parseFloat(size);
  const lineHeight = Number.parseFloat(line) / fontSize / 1.17;
  return { fontFamily, fontSize, lineHeight: Number.isFinite(lineHeight) ? lineHeight : 1.2 };
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}
