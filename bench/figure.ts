/**
 * One figure of a benchmark: a value measured beside its anchor in the same run, so the
 * ratio holds on a noisy machine. Each bench script prints its figures as JSON lines.
 */
export interface Figure {
  figure: string;
  value: number;
  anchor: string;
  anchorValue: number;
  unit: string;
  /** value / anchorValue */
  ratio: number;
  target: string;
}

export function report(f: Omit<Figure, 'ratio'>): void {
  console.log(JSON.stringify({ ...f, ratio: f.value / f.anchorValue }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
