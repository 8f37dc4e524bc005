/**
 * Raw PTY output to HTML, at build time, the way a terminal shows it: colours, `\r`
 * progress collapsed to its last state, cursor movement of full-screen programs.
 *
 *   "50%\r100%\r\n\x1b[31mred\x1b[0m\r\n"
 *   -> <pre class="lab-terminal" tabindex="0" style="background: #1b1b1f; color: #e6e6e6;"><span>100%</span>
 *      <span></span><span style="color: #ff6b68;">red</span></pre>
 *
 * A headless xterm.js of the size and colours of every cell's terminal (src/cells/terminal.ts)
 * draws the output, so it wraps where it wrapped when it was recorded, in the colours of the
 * live terminal. Rows become lines of one <pre>, so that copying and search see plain lines;
 * the screen's trailing blank rows and each row's padding are dropped.
 */
import { createRequire } from 'node:module';
import type { SerializeAddon as Serializer } from '@xterm/addon-serialize';
import type { Terminal as Term } from '@xterm/headless';
import type { Element, ElementContent } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toString as textOf } from 'hast-util-to-string';
import { ANSI_ORDER, TERMINAL_COLS as COLS, TERMINAL_ROWS as ROWS, TERMINAL_THEME } from '../cells/terminal.ts';

// CommonJS packages: required, because Astro loads its config through Vite, which
// evaluates imported CommonJS as ES modules and fails ("exports is not defined").
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as { Terminal: typeof Term };
const { SerializeAddon } = require('@xterm/addon-serialize') as { SerializeAddon: typeof Serializer };

/** Enough lines for the runner's 1 MiB output cap. */
const SCROLLBACK = 100_000;

/**
 * xterm's default ANSI palette, which the headless terminal serializes with (it has no
 * theme service), to the cells' (TERMINAL_THEME), in the same order (ANSI_ORDER).
 */
const XTERM_DEFAULT = [
  '#2e3436',
  '#cc0000',
  '#4e9a06',
  '#c4a000',
  '#3465a4',
  '#75507b',
  '#06989a',
  '#d3d7cf',
  '#555753',
  '#ef2929',
  '#8ae234',
  '#fce94f',
  '#729fcf',
  '#ad7fa8',
  '#34e2e2',
  '#eeeeec',
];
const THEMED = new Map(
  XTERM_DEFAULT.map((hex, i) => [hex, TERMINAL_THEME[ANSI_ORDER[i] as (typeof ANSI_ORDER)[number]]]),
);

/** A span's style with its ANSI foreground in the site's palette. */
const themed = (style: string) =>
  style.replace(/(^|[^-])color: (#[0-9a-f]{6})/g, (m, pre, hex) => {
    const to = THEMED.get(hex);
    return to ? `${pre}color: ${to}` : m;
  });

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
  for (const span of rows.flat().filter(isElement)) {
    if (typeof span.properties.style === 'string') span.properties.style = themed(span.properties.style);
  }
  while (rows.length && rows.at(-1)?.length === 0) rows.pop();
  const children = rows.flatMap((spans, i): ElementContent[] =>
    i ? [{ type: 'text', value: '\n' }, ...spans] : spans,
  );
  const { background, foreground } = TERMINAL_THEME;
  // Focusable: a long line scrolls it sideways, which a keyboard must be able to do too.
  const properties = {
    className: ['lab-terminal'],
    tabIndex: 0,
    style: `background: ${background}; color: ${foreground};`,
  };
  return { type: 'element', tagName: 'pre', properties, children };
}
