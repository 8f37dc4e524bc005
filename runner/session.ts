/**
 * A session: one bash in one PTY, started with the runner's rcfile, driven cell by cell.
 * Working directory, variables and functions persist between cells because it is the same
 * shell. The end of a cell is its marker (marker.ts); a cell is sent as lines the shell
 * reads and evaluates (shell/session.rc), never typed as commands.
 */
import { randomBytes } from 'node:crypto';
import { type IPty, spawn } from '@lydell/node-pty';
import { TERMINAL_COLS, TERMINAL_ROWS } from '../src/cells/terminal.ts';
import { Timing } from '../src/cells/timing.ts';
import { type Marker, MarkerParser } from './marker.ts';
import type { Target } from './target.ts';

/** Output kept per cell; the rest is counted and dropped. */
export const MAX_CELL_OUTPUT = 1 << 20;
/** After Ctrl-C, how long a cell has before its process group gets SIGTERM, then SIGKILL. */
const GRACE_MS = 1000;

export interface RunOptions {
  timeoutMs: number;
  /** Called with each piece of output as it arrives. */
  onOutput?: (text: string) => void;
  maxOutputBytes?: number;
}

export interface RunResult {
  /** `ended`: the cell finished; `timed-out`: it was interrupted; `session-ended`: the shell died. */
  outcome: 'ended' | 'timed-out' | 'session-ended';
  exitCode: number | null;
  output: string;
  /** When each piece of the output came (src/cells/timing.ts); empty with no output. */
  timing: string;
  droppedBytes: number;
  durationMs: number;
}

interface Pending {
  seq: number;
  options: RunOptions;
  chunks: string[];
  timing: Timing;
  kept: number;
  dropped: number;
  started: number;
  timedOut: boolean;
  timers: NodeJS.Timeout[];
  resolve: (r: RunResult) => void;
}

export class SessionError extends Error {}

export class Session {
  private readonly pty: IPty;
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly parser = new MarkerParser(this.nonce);
  private seq = 0;
  private pending?: Pending;
  private startup = '';
  private exited = false;
  private readonly exitListeners: (() => void)[] = [];
  private readonly target: Target;
  /** What the session's launcher announced before its first marker: "labbook:KEY=VALUE" lines. */
  readonly facts = new Map<string, string>();

  readonly name: string;

  private constructor(name: string, target: Target, argv: string[], env: Record<string, string>) {
    this.name = name;
    this.target = target;
    const command = target.launch(argv, { ...env, LABBOOK_NONCE: this.nonce });
    this.pty = spawn(command.file, command.args, {
      name: 'xterm-256color',
      cols: TERMINAL_COLS,
      rows: TERMINAL_ROWS,
      cwd: '/',
      env: command.env,
    });
    this.pty.onData((data) => this.receive(data));
    this.pty.onExit(() => this.close());
  }

  /**
   * Starts a session running argv on the target and waits for its shell's first marker. The
   * launcher must announce "labbook:pid=PID", its PID on the target: the process whose
   * terminal's foreground group a timeout signals.
   */
  static async start(
    name: string,
    argv: string[],
    env: Record<string, string>,
    target: Target,
    timeoutMs = 15_000,
  ): Promise<Session> {
    const s = new Session(name, target, argv, env);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        s.close();
        reject(new SessionError(`session "${name}" ${why}${s.startup ? `:\n${s.startup.trim()}` : ''}`));
      };
      s.ready = () => {
        clearTimeout(timer);
        for (const m of s.startup.matchAll(/labbook:(\w+)=(\S+)/g)) s.facts.set(m[1] as string, m[2] as string);
        if (s.facts.has('pid')) resolve();
        else fail('did not say its PID');
      };
      s.exitListeners.push(() => fail('exited while starting'));
    });
    s.exitListeners.length = 0;
    return s;
  }

  private ready?: () => void;

  /** The target's PID of the process that leads the terminal (the lab's or the session's launcher). */
  get pid(): number {
    return Number(this.facts.get('pid'));
  }

  get alive(): boolean {
    return !this.exited;
  }

  onEnd(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  run(code: string, options: RunOptions): Promise<RunResult> {
    if (this.pending) throw new SessionError(`session "${this.name}" is still running a cell`);
    const started = performance.now();
    if (this.exited) {
      return Promise.resolve({
        outcome: 'session-ended',
        exitCode: null,
        output: '',
        timing: '',
        droppedBytes: 0,
        durationMs: 0,
      });
    }
    const seq = ++this.seq;
    return new Promise((resolve) => {
      const p: Pending = {
        seq,
        options,
        chunks: [],
        timing: new Timing(),
        kept: 0,
        dropped: 0,
        started,
        timedOut: false,
        timers: [],
        resolve,
      };
      this.pending = p;
      p.timers.push(setTimeout(() => this.timeOut(p), options.timeoutMs));
      const end = `__lb_end_${this.nonce}`;
      this.pty.write(`__lb_read ${seq}; eval "$__lb_src"\n${code}\n${end}\n`);
    });
  }

  /** Stops reading the PTY (the shell blocks once its buffer fills): flow control. */
  pause(): void {
    if (!this.exited) this.pty.pause();
  }

  resume(): void {
    if (!this.exited) this.pty.resume();
  }

  /** Ctrl-C, as a reader would press it. */
  interrupt(): void {
    if (!this.exited) this.pty.write('\x03');
  }

  resize(cols: number, rows: number): void {
    if (this.exited) return;
    try {
      this.pty.resize(Math.max(2, Math.min(cols, 500)), Math.max(2, Math.min(rows, 200)));
    } catch {
      // The PTY may have closed between the check and the call (node-pty #220).
    }
  }

  /** Ends the session: the PTY closes, and the shell and its children get SIGHUP. */
  close(): void {
    if (this.exited) return;
    this.exited = true;
    // destroy(), not kill(): kill() alone leaks the PTY's master fd (node-pty #642).
    (this.pty as IPty & { destroy(): void }).destroy();
    this.settle('session-ended', null);
    for (const l of this.exitListeners.splice(0)) l();
  }

  private timeOut(p: Pending): void {
    if (this.pending !== p) return;
    p.timedOut = true;
    this.interrupt();
    const signal = (sig: 'TERM' | 'KILL') => {
      if (this.pending !== p) return;
      // Field 8 of /proc/PID/stat: the foreground process group of the session's terminal.
      const script = `s=$(cat /proc/${this.pid}/stat) || exit 0; set -- \${s##*) }; [ "$6" -gt 0 ] && kill -s ${sig} -- -$6; exit 0`;
      // The group may have ended by itself, or the target may be gone: nothing more to do.
      this.target.exec(script).catch(() => {});
    };
    p.timers.push(setTimeout(() => signal('TERM'), GRACE_MS));
    p.timers.push(setTimeout(() => signal('KILL'), GRACE_MS * 1.5));
    // A shell that still prints no marker is lost: end the session.
    p.timers.push(setTimeout(() => this.pending === p && this.close(), GRACE_MS * 3));
  }

  private receive(data: string): void {
    for (const piece of this.parser.feed(data)) {
      if ('marker' in piece) this.onMarker(piece.marker);
      else if (this.pending) this.collect(this.pending, piece.text);
      else if (this.seq === 0) this.startup += piece.text;
    }
  }

  private collect(p: Pending, text: string): void {
    const bytes = Buffer.byteLength(text);
    const max = p.options.maxOutputBytes ?? MAX_CELL_OUTPUT;
    if (p.kept + bytes <= max) {
      p.chunks.push(text);
      p.timing.add(performance.now() - p.started, text.length);
      p.kept += bytes;
    } else p.dropped += bytes;
    p.options.onOutput?.(text);
  }

  private onMarker(m: Marker): void {
    if (m.seq === 0 && this.ready) {
      this.ready();
      this.ready = undefined;
      return;
    }
    // A marker of an earlier, interrupted cell is stale.
    if (this.pending && m.seq === this.pending.seq) {
      this.settle(this.pending.timedOut ? 'timed-out' : 'ended', this.pending.timedOut ? null : m.status);
    }
  }

  private settle(outcome: RunResult['outcome'], exitCode: number | null): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    for (const t of p.timers) clearTimeout(t);
    p.resolve({
      outcome: p.timedOut ? 'timed-out' : outcome,
      exitCode,
      output: p.chunks.join(''),
      timing: p.timing.toString(),
      droppedBytes: p.dropped,
      durationMs: Math.round(performance.now() - p.started),
    });
  }
}
