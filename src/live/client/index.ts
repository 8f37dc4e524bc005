/**
 * The live client, loaded on the first press of a Run button. It connects the page to the
 * runner named in this tab's runner link and runs cells in the page's session; without a
 * link it shows how to start a runner for this page.
 */

import type { ServerMessage } from '../../protocol/messages.ts';
import { type Locale, STRINGS } from '../../site/strings.ts';
import { CellView } from './cell-view.ts';
import { Connection } from './connection.ts';
import { readRunnerLink } from './runner-link.ts';

const t = STRINGS[(document.documentElement.lang.toLowerCase() === 'zh-cn' ? 'zh-cn' : 'en') as Locale];
const views = new Map<string, CellView>();
let connection: Connection | undefined;
let running: CellView | undefined;
let queue = Promise.resolve();

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
      ...t
        .runHintPublished(location.origin)
        .split('`')
        .map((part, i) => {
          if (!(i % 2)) return document.createTextNode(part);
          const code = document.createElement('code');
          code.textContent = part;
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
  let view = views.get(cell);
  if (!view) {
    view = new CellView(figure, t, {
      runAbove: (v) => runAbove(v.figure),
      interrupt: () => conn.send({ type: 'interrupt' }),
      reset: () => conn.send({ type: 'reset' }),
      ack: (bytes) => conn.send({ type: 'ack', bytes }),
    });
    views.set(cell, view);
  }
  const v = view;
  queue = queue.then(async () => {
    running = v;
    const done = v.start();
    v.say(t.live.connecting);
    await conn.whenReady();
    v.say(t.live.running);
    conn.send({ type: 'run', cell, hash: figure.dataset.hash ?? '' });
    await done;
    running = undefined;
  });
  return queue;
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
