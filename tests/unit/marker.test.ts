import { describe, expect, it } from 'vitest';
import { MarkerParser, type Piece } from '../../runner/marker.ts';

const nonce = 'f00d';
const mark = (seq: number, status: number, n = nonce) => `\x1b]6973;${n};${seq};${status}\x07`;

function feedAll(chunks: string[]): Piece[] {
  const p = new MarkerParser(nonce);
  const pieces = chunks.flatMap((c) => p.feed(c));
  // Merge adjacent text pieces: how text is split does not matter, only order.
  return pieces.reduce<Piece[]>((acc, x) => {
    const last = acc.at(-1);
    if (last && 'text' in last && 'text' in x) last.text += x.text;
    else acc.push({ ...x });
    return acc;
  }, []);
}

describe('MarkerParser', () => {
  it('cuts a marker out of the stream, keeping text before and after', () => {
    expect(feedAll([`out${mark(1, 0)}next`])).toEqual([
      { text: 'out' },
      { marker: { seq: 1, status: 0 } },
      { text: 'next' },
    ]);
  });

  it('finds a marker split at every possible point between two chunks', () => {
    const stream = `abc${mark(7, 130)}`;
    for (let i = 0; i <= stream.length; i++) {
      expect(feedAll([stream.slice(0, i), stream.slice(i)])).toEqual([
        { text: 'abc' },
        { marker: { seq: 7, status: 130 } },
      ]);
    }
  });

  it('passes a marker with another nonce through as text', () => {
    const fake = mark(1, 0, 'beef');
    expect(feedAll([fake])).toEqual([{ text: fake }]);
  });

  it('does not hold back ordinary escape sequences', () => {
    expect(feedAll(['\x1b[31mred\x1b[0m'])).toEqual([{ text: '\x1b[31mred\x1b[0m' }]);
    expect(new MarkerParser(nonce).feed('tail \x1b[')).toEqual([{ text: 'tail \x1b[' }]);
  });
});
