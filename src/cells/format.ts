/**
 * How the site, the page and the runner write a few things alike. Browser-safe.
 *
 *   formatDuration(340)     -> "340 ms"
 *   formatDuration(1234)    -> "1.2 s"
 *   formatDuration(42_000)  -> "42 s"
 *   splitBackticks('run `npx labbook` here') -> [{ text: 'run ', code: false },
 *                                               { text: 'npx labbook', code: true }, { text: ' here', code: false }]
 */

/** A duration as people read it: milliseconds under a second, a tenth of a second under ten. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export interface TextPart {
  text: string;
  /** Between backticks: to be shown as code. */
  code: boolean;
}

/**
 * A sentence split at its backticks: every other part is `code`. Every part is kept, empty
 * ones too, and an unclosed backtick makes the rest code.
 */
export function splitBackticks(text: string): TextPart[] {
  return text.split('`').map((part, i) => ({ text: part, code: i % 2 === 1 }));
}
