/**
 * Values sampled over time, one per line as `SERIES TIME VALUE` (the `lab_sample` helper in
 * runner/shell/lab-data.sh prints them), drawn as an SVG line chart at build time: no
 * JavaScript, colours from the page's theme (currentColor and Starlight's variables).
 *
 *   quota 0.1 19.8        -> <svg role="img" aria-label="...">  (one line per series)
 *   none 0.1 99.6
 */
export interface Series {
  name: string;
  points: [number, number][];
}

export function parseSamples(text: string): Series[] {
  const series = new Map<string, [number, number][]>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*$/.exec(line.trim());
    if (!m) continue;
    const points = series.get(m[1] as string) ?? [];
    points.push([Number(m[2]), Number(m[3])]);
    series.set(m[1] as string, points);
  }
  if (!series.size) throw new Error('no samples: print lines of "SERIES TIME VALUE"');
  return [...series].map(([name, points]) => ({ name, points }));
}

const W = 640;
const H = 260;
const PAD = { left: 48, right: 110, top: 12, bottom: 36 };
const COLOURS = ['var(--sl-color-accent)', 'var(--sl-color-orange, #e8590c)', 'var(--sl-color-green, #2f9e44)'];

/** A round number at or above v, close to it: rounding 101 up to 200 would waste half the chart. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * power >= v) ?? 10;
  return step * power;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[c]};`);

/** An SVG line chart; `title` is its text alternative, `x`/`y` name the axes. */
export function plotSvg(series: Series[], labels: { title: string; x: string; y: string }): string {
  const all = series.flatMap((s) => s.points);
  const xMax = niceMax(Math.max(...all.map((p) => p[0])));
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const sx = (x: number) => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - (y / yMax) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(labels.title)}" class="lab-plot" font-size="11" fill="currentColor">`,
    `<title>${esc(labels.title)}</title>`,
    ...ticks.map(
      (t) =>
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${sy(t * yMax)}" y2="${sy(t * yMax)}" stroke="currentColor" stroke-opacity="0.15"/>` +
        `<text x="${PAD.left - 6}" y="${sy(t * yMax) + 4}" text-anchor="end">${+(t * yMax).toFixed(2)}</text>`,
    ),
    ...ticks.map(
      (t) =>
        `<text x="${sx(t * xMax)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${+(t * xMax).toFixed(2)}</text>`,
    ),
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 4}" text-anchor="middle">${esc(labels.x)}</text>`,
    `<text transform="translate(12 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(labels.y)}</text>`,
    ...series.map((s, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const points = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      const last = s.points.at(-1) ?? [0, 0];
      return (
        `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>` +
        `<text x="${W - PAD.right + 6}" y="${sy(last[1]) + 4}" fill="${colour}">${esc(s.name)}</text>`
      );
    }),
    '</svg>',
  ];
  return parts.join('');
}
