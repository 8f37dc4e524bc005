/**
 * Runs a chapter's cells in a fresh lab, in document order (teardown cells last, even after
 * a failure), and returns what a recording holds. A cell whose requirement the target lacks,
 * or whose session could not start, is skipped or in error with the reason (src/cells/reasons.ts);
 * nothing is faked.
 */
import type { Capability } from '../src/cells/capabilities.ts';
import { carryOver, changeLines, type LabState } from '../src/cells/lab-state.ts';
import type { Cell, Chapter } from '../src/cells/parse.ts';
import type { CellRecording, Recording } from '../src/cells/recording.ts';
import { Lab } from './lab.ts';
import { probeCapabilities, probeEnvironment } from './probe.ts';
import type { RunResult } from './session.ts';
import type { Target } from './target.ts';

export interface RunEvents {
  onCellStart?: (cell: Cell) => void;
  onOutput?: (cell: Cell, text: string) => void;
  onCellEnd?: (cell: Cell, result: CellRecording) => void;
}

export interface RunOptions extends RunEvents {
  /** Run the cells up to and including this one (its state needs those before it). */
  until?: string;
  /** Start at this cell, for a cell known to need nothing of those before it. */
  from?: string;
  /** Where the lab runs. */
  target: Target;
  /**
   * Multiplies every cell's timeout: a slow target (the VM under software emulation runs
   * about 10 times slower) needs longer, while the chapters keep the timeouts of a real host.
   */
  timeoutScale?: number;
  /**
   * Takes a snapshot of the lab's kernel objects after each cell that ran, and records what the
   * cell changed (src/cells/lab-state.ts). On unless false (bench/snapshots.ts measures the cost).
   */
  snapshots?: boolean;
}

export async function runChapter(chapter: Chapter, slug: string, options: RunOptions): Promise<Recording> {
  let cells = chapter.cells;
  if (options.until) {
    const last = cells.findIndex((c) => c.id === options.until);
    if (last < 0) throw new Error(`${chapter.file}: no cell "${options.until}"`);
    cells = cells.slice(0, last + 1);
  }
  if (options.from) {
    const first = cells.findIndex((c) => c.id === options.from);
    if (first < 0) throw new Error(`${chapter.file}: no cell "${options.from}" to start from`);
    cells = cells.slice(first);
  }
  const ordered = [...cells.filter((c) => c.role !== 'teardown'), ...cells.filter((c) => c.role === 'teardown')];
  const lab = await Lab.create(options.target);
  try {
    const environment = await probeEnvironment(lab.shell, lab.target.name);
    const found = await probeCapabilities(
      lab.shell,
      cells.flatMap((c) => c.requires),
    );
    const results: CellRecording[] = [];
    const changes = options.snapshots === false ? undefined : await Changes.start(lab);
    // Once the lab's own shell is gone, so is the state every later cell needs: they are not run.
    let endedIn: string | undefined;
    for (const cell of ordered) {
      options.onCellStart?.(cell);
      const ran = endedIn
        ? { ...notRun(cell), status: 'error' as const, labEndedIn: endedIn }
        : await runCell(
            lab,
            chapter,
            cell,
            found,
            (text) => options.onOutput?.(cell, text),
            cell.code,
            options.timeoutScale,
          );
      if (!endedIn && !lab.shell.alive) endedIn = cell.id;
      const change = changes && !endedIn && ran.status !== 'skipped' ? await changes.after() : undefined;
      const result: CellRecording = change ? { ...ran, change } : ran;
      results.push(result);
      options.onCellEnd?.(cell, result);
    }
    const byId = new Map(results.map((r) => [r.id, r]));
    return {
      version: 1,
      chapter: slug,
      recordedAt: new Date().toISOString(),
      environment,
      cells: cells.map((c) => byId.get(c.id) as CellRecording),
    };
  } finally {
    await lab.close();
  }
}

/**
 * What each cell changes in the lab's kernel objects: the state after a cell is the state before
 * the next one, so a run takes one snapshot per cell, and one before the first.
 */
export class Changes {
  private readonly lab: Lab;
  private state?: LabState;

  private constructor(lab: Lab) {
    this.lab = lab;
  }

  /** Takes the first snapshot; one that fails is taken again after the next cell, as any. */
  static async start(lab: Lab): Promise<Changes> {
    const changes = new Changes(lab);
    await changes.after();
    return changes;
  }

  /**
   * What changed since the last snapshot: the last cell's doing (and its background jobs'). When
   * a snapshot fails (it timed out, or the observer died), that cell and the next say nothing,
   * a claim about their change fails as untaken, and the next snapshot is a new start.
   */
  async after(): Promise<string[] | undefined> {
    try {
      const next = await this.lab.state();
      if (!this.state) {
        this.state = next;
        return undefined;
      }
      const settled = carryOver(this.state, next);
      const lines = changeLines(this.state, settled);
      this.state = settled;
      return lines;
    } catch {
      this.state = undefined;
      return undefined;
    }
  }
}

/** What a recording holds of a cell that produced nothing. */
const notRun = (cell: Cell) => ({
  id: cell.id,
  hash: cell.hash,
  exitCode: null,
  durationMs: 0,
  output: '',
  droppedBytes: 0,
});

/** Runs one cell in its session of the lab (`code` replaces the cell's own, for edited cells). */
export async function runCell(
  lab: Lab,
  chapter: Chapter,
  cell: Cell,
  found: Map<Capability, boolean>,
  onOutput: (text: string) => void,
  code = cell.code,
  timeoutScale = 1,
): Promise<CellRecording> {
  const timeoutMs = Math.round(cell.timeoutMs * timeoutScale);
  const base = notRun(cell);
  const missing = cell.requires.find((c) => !found.get(c));
  if (missing) return { ...base, status: 'skipped', missing };
  let r: RunResult;
  try {
    const session = await lab.session(cell.session, chapter.sessions[cell.session]);
    r = await session.run(code, { timeoutMs, onOutput });
  } catch (e) {
    return { ...base, status: 'error', message: (e as Error).message };
  }
  const recorded = {
    ...base,
    exitCode: r.exitCode,
    durationMs: r.durationMs,
    output: r.output,
    droppedBytes: r.droppedBytes,
    ...(r.timing ? { timing: r.timing } : {}),
  };
  if (r.outcome === 'timed-out') {
    return { ...recorded, status: 'timed-out', timeoutMs };
  }
  if (r.outcome === 'session-ended') {
    const lost = await lab.target.checkLost();
    return { ...recorded, status: 'error', ...(lost ? { message: lost } : { sessionEnded: cell.session }) };
  }
  if (cell.exit !== 'any' && r.exitCode !== cell.exit) {
    return { ...recorded, status: 'failed', expectedExit: cell.exit };
  }
  return { ...recorded, status: 'passed' };
}
