/**
 * The terminal every cell runs in and is shown in, alike for recordings, live runs and the
 * page: its size, and its colours (the recorded outputs drawn at build time by
 * src/site/terminal-html.ts, the live xterm.js of src/live/client/cell-view.ts). Dark, as a
 * terminal is in either site theme, and with every ANSI colour at least 4.5:1 against the
 * background (WCAG AA, checked by axe in tests/a11y): the usual palettes put dark red and
 * blue on black. No dependencies: the page bundles it.
 */
export const TERMINAL_COLS = 100;
export const TERMINAL_ROWS = 30;

export const TERMINAL_THEME = {
  background: '#1b1b1f',
  foreground: '#e6e6e6',
  cursor: '#e6e6e6',
  black: '#8c8c8c',
  red: '#ff6b68',
  green: '#5fd068',
  yellow: '#e5c07b',
  blue: '#6cb6ff',
  magenta: '#e07ee0',
  cyan: '#56d4dd',
  white: '#d0d0d0',
  brightBlack: '#a0a0a0',
  brightRed: '#ff8f8c',
  brightGreen: '#7ee787',
  brightYellow: '#f2d492',
  brightBlue: '#91cbff',
  brightMagenta: '#f0a0f0',
  brightCyan: '#7fe3ea',
  brightWhite: '#ffffff',
};

/** The 16 ANSI colours in their SGR order (30-37, then 90-97). */
export const ANSI_ORDER = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'brightBlack',
  'brightRed',
  'brightGreen',
  'brightYellow',
  'brightBlue',
  'brightMagenta',
  'brightCyan',
  'brightWhite',
] as const;
