/**
 * A page session: the lab one page runs its cells in, and the one client (the page's
 * WebSocket) attached to it. The lab is made on the first Run and replaced on Reset. Output
 * flows to the client under flow control: past HIGH_WATER_BYTES not yet acknowledged by the
 * page's terminal, the lab's shells are paused until the page catches up. A client that drops
 * may reattach within DETACHED_GRACE_MS; meanwhile the shells are paused, so nothing is lost
 * and nothing grows.
 *
 * Words, as in the rest of runner/server: a *page session* is this (the wire protocol's
 * `session` field carries its id); a *shell session* is one bash in a PTY of the lab (a
 * `Session` of runner/session.ts: the lab's own shell, its "lab" session, and its named ones); a frontmatter
 * `sessions:` entry is a `SessionSpec`, which says how a named shell session is made.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Capability } from '../../src/cells/capabilities.ts';
import type { Cell, Chapter } from '../../src/cells/parse.ts';
import { type Reason, reasonOf } from '../../src/cells/reasons.ts';
import { HIGH_WATER_BYTES, LOW_WATER_BYTES, type ServerMessage } from '../../src/protocol/messages.ts';
import { Changes, runCell } from '../chapter-run.ts';
import { Lab } from '../lab.ts';
import { probeCapabilities } from '../probe.ts';
import type { Target } from '../target.ts';

export const DETACHED_GRACE_MS = 60_000;
/** Page sessions a runner holds at once by default: the 20 that tests/load shows this machine serves. */
export const MAX_PAGE_SESSIONS = 20;
/** Page sessions one page holds at once by default: one in use, and room for reconnects. */
export const MAX_PAGE_SESSIONS_PER_PAGE = 4;

type EndStatus = Extract<ServerMessage, { type: 'end' }>['status'];

export class PageSession {
  readonly id = randomBytes(16).toString('hex');
  readonly chapter: string;
  /** The page it belongs to: the `page` id of the hello that made it, or of the last that reattached. */
  page?: string;
  /** When its client left (performance.now()); undefined while attached. */
  detachedAt?: number;
  private readonly target: Target;
  private client?: WebSocket;
  private lab?: Promise<Lab>;
  private readonly found = new Map<Capability, boolean>();
  /** Cells run in this lab: a hidden setup cell runs once, before the first cell after it. */
  private readonly done = new Set<string>();
  private running?: Cell;
  /** The lab's last snapshot, while every cell since was run with one (a run that asks for none forgets it). */
  private changes?: Changes;
  private unacked = 0;
  private paused = false;
  private expiry?: NodeJS.Timeout;
  private readonly onExpire: (s: PageSession) => void;
  private readonly graceMs: number;

  constructor(chapter: string, target: Target, onExpire: (s: PageSession) => void, graceMs = DETACHED_GRACE_MS) {
    this.chapter = chapter;
    this.target = target;
    this.onExpire = onExpire;
    this.graceMs = graceMs;
  }

  get attached(): boolean {
    return !!this.client;
  }

  attach(ws: WebSocket, page?: string): void {
    clearTimeout(this.expiry);
    this.client = ws;
    this.page = page;
    this.detachedAt = undefined;
    this.unacked = 0;
    this.flow();
  }

  detach(ws: WebSocket): void {
    if (this.client !== ws) return;
    this.client = undefined;
    this.detachedAt = performance.now();
    this.flow();
    this.expiry = setTimeout(() => this.onExpire(this), this.graceMs);
  }

  send(message: ServerMessage): void {
    this.client?.send(JSON.stringify(message));
  }

  /** `change`: also say what each cell run changed in the kernel (a snapshot after it, one before the first). */
  async run(chapter: Chapter, cell: Cell, code: string, change = false): Promise<void> {
    if (this.running) {
      this.send({ type: 'error', message: `the cell "${this.running.id}" is still running: wait, or interrupt it` });
      return;
    }
    this.running = cell;
    try {
      const lab = await this.labReady();
      if (!change) this.changes = undefined;
      else this.changes ??= await Changes.start(lab);
      const before = chapter.cells.slice(0, chapter.cells.indexOf(cell));
      const setups = before.filter((c) => c.role === 'setup' && !this.done.has(c.id));
      for (const c of [...setups, cell]) {
        const unknown = c.requires.filter((r) => !this.found.has(r));
        if (unknown.length) for (const [r, ok] of await probeCapabilities(lab.shell, unknown)) this.found.set(r, ok);
        const r = await runCell(
          lab,
          chapter,
          c,
          this.found,
          (data) => this.output(c, data),
          c === cell ? code : c.code,
        );
        this.done.add(c.id);
        const lines = r.status !== 'skipped' ? await this.changes?.after() : undefined;
        this.end(c, r.status, r.exitCode, r.durationMs, reasonOf(r), lines);
      }
    } catch (e) {
      this.end(cell, 'error', null, 0, { message: (e as Error).message });
    } finally {
      this.running = undefined;
    }
  }

  /** How a cell ended, with why it did not pass as data: the page says it in its language. */
  private end(
    cell: Cell,
    status: EndStatus,
    exitCode: number | null,
    durationMs: number,
    reason: Reason = {},
    change?: string[],
  ): void {
    this.send({ type: 'end', cell: cell.id, status, exitCode, durationMs, ...reason, ...(change ? { change } : {}) });
  }

  async interrupt(): Promise<void> {
    const lab = this.running && (await this.lab?.catch(() => undefined));
    if (!lab || !this.running) return;
    // The cell's shell session (its `session=` attribute), which the lab started for it.
    (await lab.session(this.running.session).catch(() => undefined))?.interrupt();
  }

  /** A fresh lab: the old one and everything in it are gone. */
  async reset(): Promise<void> {
    const old = this.lab;
    this.lab = undefined;
    this.found.clear();
    this.done.clear();
    this.changes = undefined;
    if (old) await (await old.catch(() => undefined))?.close();
    this.send({ type: 'reset' });
  }

  resize(cols: number, rows: number): void {
    void this.lab?.then((lab) => lab.forEachSession((s) => s.resize(cols, rows))).catch(() => {});
  }

  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    this.flow();
  }

  async close(): Promise<void> {
    clearTimeout(this.expiry);
    this.client?.close(1001, 'the runner is closing this page session');
    this.client = undefined;
    const lab = this.lab;
    this.lab = undefined;
    if (lab) await (await lab.catch(() => undefined))?.close();
  }

  /** The page's lab, made on first use; a lab that failed to start is tried again next time. */
  private labReady(): Promise<Lab> {
    if (this.lab) return this.lab;
    const lab = Lab.create(this.target);
    this.lab = lab;
    lab.catch(() => {
      if (this.lab === lab) this.lab = undefined;
    });
    return lab;
  }

  private output(cell: Cell, data: string): void {
    this.unacked += Buffer.byteLength(data);
    this.send({ type: 'output', cell: cell.id, data });
    this.flow();
  }

  /** Pauses every shell session of the lab while the page is behind (or gone), resumes when it catches up. */
  private flow(): void {
    const behind = !this.client || this.unacked > HIGH_WATER_BYTES;
    const caughtUp = !!this.client && this.unacked < LOW_WATER_BYTES;
    if (behind === this.paused || (!behind && !caughtUp)) return;
    this.paused = behind;
    void this.lab?.then((lab) => lab.forEachSession((s) => (behind ? s.pause() : s.resume()))).catch(() => {});
  }
}
