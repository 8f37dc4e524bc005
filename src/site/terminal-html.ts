/**
 * Raw PTY output to HTML, at build time, the way a terminal shows it: colours, `\r`
 * progress collapsed to its last state, cursor movement of full-screen programs.
 *
 *   "50%\r100%\r\n\x1b[31mred\x1b[0m\r\n"
 *   -> <pre class="lab-terminal"><span>100%</span>\n<span style="color: #cc0000;">red</span></pre>
 *
 * The terminal has the runner's size (runner/session.ts COLS x ROWS), so output wraps
 * where it wrapped when it was recorded. Rows become lines of one <pre>, so that copying
 * and search see plain lines; the screen's trailing blank rows and padding are dropped.
 */
import { createRequire } from 'node:module';
import type { SerializeAddon as Serializer } from '@xterm/addon-serialize';
import type { Terminal as Term } from '@xterm/headless';
import type { Element, ElementContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toString as textOf } from 'hast-util-to-string';
import { TERMINAL_COLS as COLS, TERMINAL_ROWS as ROWS } from '../live/constants.ts';

// CommonJS packages: required, because Astro loads its config through Vite, which
// evaluates imported CommonJS as ES modules and fails ("exports is not defined").
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as { Terminal: typeof Term };
const { SerializeAddon } = require('@xterm/addon-serialize') as { SerializeAddon: typeof Serializer };

/** The size of the runner's PTY (runner/session.ts), not imported to keep node-pty out of the site build. */
/** Enough lines for the runner's 1 MiB output cap. */
const SCROLLBACK = 100_000;

const isElement = (n: ElementContent | undefined): n is Element => n?.type === 'element';
const isPlain = (n: ElementContent | undefined): n is Element => isElement(n) && !n.properties.style;

async function serialize(output: string): Promise<string> {
  const term = new Terminal({ cols: COLS, rows: ROWS, scrollback: SCROLLBACK, allowProposedApi: true });
  const addon = new SerializeAddon();
  term.loadAddon(addon);
  await new Promise<void>((resolve) => term.write(output, resolve));
  const html = addon.serializeAsHTML();
  term.dispose();
  return html;
}

/** One row's spans, without the blank unstyled cells that pad it to the terminal width. */
function trimRow(row: Element): ElementContent[] {
  const spans = [...row.children];
  while (isPlain(spans.at(-1)) && textOf(spans.at(-1) as Element).trim() === '') spans.pop();
  const last = spans.at(-1);
  if (isPlain(last) && last.children[0]?.type === 'text') last.children[0].value = last.children[0].value.trimEnd();
  return spans;
}

export async function terminalHtml(output: string): Promise<Element> {
  const tree = fromHtml(await serialize(output), { fragment: true });
  // serializeAsHTML gives <pre><div style=(colours)><div>row</div>...</div></pre>.
  const pre = tree.children.find((n) => n.type === 'element' && n.tagName === 'pre') as Element;
  const screen = pre.children.find(isElement);
  const rows = (screen?.children ?? []).filter(isElement).map(trimRow);
  while (rows.length && rows.at(-1)?.length === 0) rows.pop();
  const children = rows.flatMap((spans, i): ElementContent[] =>
    i ? [{ type: 'text', value: '\n' }, ...spans] : spans,
  );
  return { type: 'element', tagName: 'pre', properties: { className: ['lab-terminal'] }, children };
}
