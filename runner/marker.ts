/**
 * Finds the end of each cell in a session's raw output. The session's PROMPT_COMMAND prints
 *
 *   ESC ] 6973 ; <nonce> ; <seq> ; <exit status> BEL
 *
 * before every prompt. The nonce (secret to the session) keeps `cat` of a file from faking
 * an end; the sequence number lets the runner discard a stale marker after an interrupt.
 * The marker is cut out of the stream; a marker split across chunks is held back until
 * it is whole, so output never needs to end in a newline.
 */
export interface Marker {
  seq: number;
  status: number;
}

export type Piece = { text: string } | { marker: Marker };

const OSC = '\x1b]6973;';

export class MarkerParser {
  private held = '';
  private readonly head: string;
  private readonly whole: RegExp;

  constructor(nonce: string) {
    this.head = `${OSC}${nonce};`;
    this.whole = new RegExp(`${escapeRegExp(this.head)}(\\d+);(\\d+)\\x07`);
  }

  /** Splits a chunk into text and markers, in stream order. */
  feed(chunk: string): Piece[] {
    let buf = this.held + chunk;
    this.held = '';
    const pieces: Piece[] = [];
    for (;;) {
      const m = this.whole.exec(buf);
      if (!m) break;
      if (m.index > 0) pieces.push({ text: buf.slice(0, m.index) });
      pieces.push({ marker: { seq: Number(m[1]), status: Number(m[2]) } });
      buf = buf.slice(m.index + m[0].length);
    }
    const keep = this.partialTail(buf);
    if (keep > 0) {
      this.held = buf.slice(buf.length - keep);
      buf = buf.slice(0, buf.length - keep);
    }
    if (buf) pieces.push({ text: buf });
    return pieces;
  }

  /** Length of a tail of `buf` that may be the start of a marker still arriving. */
  private partialTail(buf: string): number {
    const start = buf.lastIndexOf('\x1b');
    if (start < 0) return 0;
    const tail = buf.slice(start);
    if (tail.length > this.head.length + 24) return 0;
    if (this.head.startsWith(tail)) return tail.length;
    return tail.startsWith(this.head) && /^\d*;?\d*$/.test(tail.slice(this.head.length)) ? tail.length : 0;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}
