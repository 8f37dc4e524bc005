/**
 * When each piece of a cell's output came, as a recording keeps it beside the output: one
 * `OFFSET:LENGTH` pair per piece, the milliseconds since the cell started and the length of
 * the piece in the output string (UTF-16 units), pieces in order and together the whole output.
 *
 *   output "64 bytes ... seq=1\r\n64 bytes ... seq=2\r\n", timing "3:20 1004:20"
 *   -> [{ ms: 3, text: "64 bytes ... seq=1\r\n" }, { ms: 1004, text: "64 bytes ... seq=2\r\n" }]
 *
 * One line of JSON per cell, so that a recording stays readable and its diffs short; pieces
 * closer than MERGE_MS are one, so a flood of output is a few pieces, not thousands.
 */

/** Pieces of output this close together are kept as one. */
const MERGE_MS = 20;

export const TIMING = /^\d+:\d+(?: \d+:\d+)*$/;

export interface Piece {
  ms: number;
  text: string;
}

/** Collects the pieces of a run as they come: `add` each, `toString` for the recording. */
export class Timing {
  private readonly pairs: [number, number][] = [];

  add(ms: number, length: number): void {
    if (!length) return;
    const last = this.pairs.at(-1);
    const at = Math.max(0, Math.round(ms));
    if (last && at - last[0] < MERGE_MS) last[1] += length;
    else this.pairs.push([at, length]);
  }

  toString(): string {
    return this.pairs.map(([ms, n]) => `${ms}:${n}`).join(' ');
  }
}

/** The pairs of a timing string. */
function pairsOf(timing: string): [number, number][] {
  return timing.split(' ').map((pair) => pair.split(':').map(Number) as [number, number]);
}

/** Whether a timing string covers exactly an output of `length` units, its offsets in order. */
export function coversOutput(timing: string, length: number): boolean {
  const pairs = pairsOf(timing);
  return (
    pairs.reduce((sum, [, n]) => sum + n, 0) === length && pairs.every(([ms], i) => ms >= (pairs[i - 1]?.[0] ?? 0))
  );
}

/** The output in its timed pieces; without timing (an older recording), all of it at the start. */
export function pieces(output: string, timing: string | undefined): Piece[] {
  if (!output) return [];
  if (!timing) return [{ ms: 0, text: output }];
  let at = 0;
  return pairsOf(timing).map(([ms, n]) => {
    const text = output.slice(at, at + n);
    at += n;
    return { ms, text };
  });
}
