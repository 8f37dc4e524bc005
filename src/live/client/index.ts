/**
 * The live client, loaded on the first press of a Run button. It connects the page to the
 * runner named in this tab's runner link and runs cells in the page's session; without a
 * link it shows how to start a runner for this page.
 *
 * Its words come with the page, in the page's language: a JSON script element
 * (data-labbook-strings, from the site's translations) maps keys to sentences, whose `{{name}}`
 * are filled in here.
 *
 *   { "labbook.live.running": "running…", "labbook.exit.code": "exit {{code}}", ... }
 */

import type { Language } from '../../cells/capabilities.ts';
import { splitBackticks } from '../../cells/format.ts';
import { type Reason, reasonText } from '../../cells/reasons.ts';
import type { CellStatus } from '../../cells/recording.ts';
import type { ServerMessage } from '../../protocol/messages.ts';
import { CellView } from './cell-view.ts';
import { Connection } from './connection.ts';
import { play, recordedCell } from './replay.ts';
import { readRunnerLink } from './runner-link.ts';

const LIVE = [
  'output',
  'runAbove',
  'interrupt',
  'reset',
  'compare',
  'replaying',
  'replayStopped',
  'connecting',
  'running',
  'lost',
  'newLink',
  'same',
  'differs',
] as const;
/** Every status, as the type checker sees that none is missing (the list itself would bring node:fs). */
const STATUSES: Record<CellStatus, true> = {
  passed: true,
  failed: true,
  'timed-out': true,
  skipped: true,
  error: true,
};

/** The words of the live client and its cells' views. */
export interface Strings {
  status: Record<CellStatus, string>;
  /** A status with why it did not pass, when there is a why: "skipped: needs ipvlan, ...". */
  withReason: (status: CellStatus, reason: string | undefined) => string;
  /** Why a run did not pass, as the runner's end message has it, in the page's language. */
  reason: (why: Reason) => string | undefined;
  exit: (code: number | null) => string;
  runHintPublished: (origin: string) => string;
  /** Whose recording a live run was compared with: an entry of the matrix. */
  comparedWith: (kernel: string) => string;
  /** The title of a drawing of the live run, said so. */
  drawnLive: (title: string) => string;
  /** Over the list of what the live run changed in the kernel. */
  change: (count: number) => string;
  live: Record<(typeof LIVE)[number], string>;
}

function pageStrings(): Strings {
  const json = document.querySelector('script[data-labbook-strings]')?.textContent;
  const words = (json ? JSON.parse(json) : {}) as Record<string, string>;
  // A missing sentence shows its key, as i18next does.
  const say = (key: string, vars: Record<string, string | number> = {}) =>
    (words[`labbook.${key}`] ?? `labbook.${key}`).replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) =>
      name in vars ? String(vars[name]) : m,
    );
  const status = Object.fromEntries(Object.keys(STATUSES).map((s) => [s, say(`status.${s}`)])) as Strings['status'];
  // The page's language, as Starlight gives it to <html lang>: the site's, or English.
  const lang: Language = document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en';
  return {
    status,
    withReason: (s, reason) => (reason ? say('status.withReason', { status: status[s], reason }) : status[s]),
    reason: (why) => reasonText(why, lang),
    exit: (code) => (code === null ? say('exit.none') : say('exit.code', { code })),
    runHintPublished: (origin) => say('live.runHintPublished', { origin }),
    comparedWith: (kernel) => say('live.comparedWith', { kernel }),
    drawnLive: (title) => say('live.drawnLive', { title }),
    change: (count) => say('live.change', { count }),
    live: Object.fromEntries(LIVE.map((k) => [k, say(`live.${k}`)])) as Strings['live'],
  };
}

const t = pageStrings();
const views = new Map<string, CellView>();
let connection: Connection | undefined;
let running: CellView | undefined;
let queue = Promise.resolve();
/** The replay under way in a cell's terminal, by cell: set to stop it. */
const replays = new Map<string, { stop: boolean }>();

function onMessage(m: ServerMessage): void {
  if (m.type === 'output') views.get(m.cell)?.output(m.data);
  else if (m.type === 'end') views.get(m.cell)?.end(m);
  else if (m.type === 'error') running?.abandon(m.message);
  else if (m.type === 'reset') for (const v of views.values()) v.say('');
}

function onState(state: string, why?: string): void {
  const view = running ?? [...views.values()].at(-1);
  if (state === 'connecting' && view) view.say(t.live.connecting);
  if (state === 'lost') view?.say(t.live.lost);
  if (state === 'gone') {
    connection = undefined;
    running?.abandon(`${t.live.newLink}${why ? ` (${why})` : ''}`);
  }
}

function showHint(button: HTMLButtonElement): void {
  const hint = button.parentElement?.querySelector<HTMLElement>('.lab-run-hint');
  if (!hint) return;
  // On the published site the runner must allow the site's origin: say how.
  if (location.protocol === 'https:') {
    hint.replaceChildren(
      ...splitBackticks(t.runHintPublished(location.origin)).map((part) => {
        if (!part.code) return document.createTextNode(part.text);
        const code = document.createElement('code');
        code.textContent = part.text;
        return code;
      }),
    );
  }
  hint.hidden = false;
}

/** Runs one cell, after the one before it (runs are queued, as in one terminal). */
function runCell(figure: HTMLElement): Promise<void> {
  const link = readRunnerLink();
  const chapter = figure.dataset.chapter ?? '';
  const cell = figure.dataset.cell ?? '';
  if (!link) return Promise.resolve();
  connection ??= new Connection(link, chapter, onMessage, onState);
  const conn = connection;
  const v = viewOf(figure);
  queue = queue.then(async () => {
    running = v;
    const done = v.start();
    v.say(t.live.connecting);
    let target: string | undefined;
    try {
      target = await conn.whenReady();
    } catch {
      // The runner is gone: the view says so already (onState), and the next run starts afresh.
      running = undefined;
      return;
    }
    v.running(target);
    const change = figure.querySelector<HTMLInputElement>('input[data-lab-change]')?.checked;
    conn.send({ type: 'run', cell, hash: figure.dataset.hash ?? '', ...(change ? { change } : {}) });
    await done;
    running = undefined;
  });
  return queue;
}

/** The cell's live terminal, made on its first Run or Replay. */
function viewOf(figure: HTMLElement): CellView {
  const cell = figure.dataset.cell ?? '';
  let view = views.get(cell);
  if (!view) {
    view = new CellView(figure, t, {
      runAbove: (v) => runAbove(v.figure),
      interrupt: () => {
        const replaying = replays.get(cell);
        if (replaying) replaying.stop = true;
        else connection?.send({ type: 'interrupt' });
      },
      reset: () => connection?.send({ type: 'reset' }),
      ack: (bytes) => connection?.send({ type: 'ack', bytes }),
    });
    views.set(cell, view);
  }
  return view;
}

/**
 * Plays the figure's recorded output in its terminal at the pace it came, then its status as
 * recorded; in turn with runs, as in one terminal. No runner is needed.
 */
export function replay(button: HTMLButtonElement): void {
  const figure = button.closest<HTMLElement>('figure[data-lab-cell]');
  if (!figure) return;
  const cell = figure.dataset.cell ?? '';
  const view = viewOf(figure);
  queue = queue.then(async () => {
    const done = view.start();
    view.say(t.live.replaying);
    const replaying = { stop: false };
    replays.set(cell, replaying);
    try {
      const run = await recordedCell(figure);
      const whole = await play(
        run,
        (text) => view.output(text, false),
        () => replaying.stop,
      );
      if (whole) view.end({ ...run, type: 'end', cell });
      else view.abandon(t.live.replayStopped);
    } catch (e) {
      view.abandon((e as Error).message);
    } finally {
      replays.delete(cell);
    }
    await done;
  });
}

/** Every cell above this one on the page, in order. */
function runAbove(figure: HTMLElement): void {
  for (const f of document.querySelectorAll<HTMLElement>('figure[data-lab-cell]')) {
    if (f === figure) break;
    void runCell(f);
  }
}

export function run(button: HTMLButtonElement): void {
  const figure = button.closest<HTMLElement>('figure[data-lab-cell]');
  if (!figure) return;
  if (readRunnerLink()) void runCell(figure);
  else showHint(button);
}
