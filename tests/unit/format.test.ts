import { describe, expect, it } from 'vitest';
import { formatDuration, splitBackticks } from '../../src/cells/format.ts';

describe('formatDuration', () => {
  it('writes milliseconds under a second, tenths of a second under ten, whole seconds above', () => {
    expect([0, 340, 999, 1000, 1234, 9949, 9999, 10_000, 42_400].map(formatDuration)).toEqual([
      '0 ms',
      '340 ms',
      '999 ms',
      '1.0 s',
      '1.2 s',
      '9.9 s',
      '10.0 s',
      '10 s',
      '42 s',
    ]);
  });
});

describe('splitBackticks', () => {
  it('makes every other part code, keeping empty parts and the rest after an unclosed backtick', () => {
    expect(splitBackticks('run `sudo npx labbook serve` and open it')).toEqual([
      { text: 'run ', code: false },
      { text: 'sudo npx labbook serve', code: true },
      { text: ' and open it', code: false },
    ]);
    expect(splitBackticks('`a`')).toEqual([
      { text: '', code: false },
      { text: 'a', code: true },
      { text: '', code: false },
    ]);
    expect(splitBackticks('no code')).toEqual([{ text: 'no code', code: false }]);
    expect(splitBackticks('open `end')).toEqual([
      { text: 'open ', code: false },
      { text: 'end', code: true },
    ]);
  });
});
