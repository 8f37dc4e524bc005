/**
 * Data cells on the page: drawn at build time from their recorded snapshot, a structural
 * check read as its claim only when the snapshot shows it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element, Root } from 'hast';
import { select, selectAll } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from '../../src/site/chromium.ts';

const cache = mkdtempSync(join(tmpdir(), 'labbook-diagrams-'));
process.env.LABBOOK_DIAGRAMS = cache;
const fixture = new URL('../fixtures/structure.md', import.meta.url).pathname;
let page: Root;
beforeAll(async () => {
  const { renderMarkdown } = await import('./render.ts');
  page = await renderMarkdown(fixture);
}, 120_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const figure = (id: string) => select(`figure[data-cell="${id}"]`, page) as Element;

describe.skipIf(!hasChromium())('data cells (diagrams rendered in headless Chromium)', () => {
  it('draws a network snapshot as a labelled diagram, with the snapshot one click away', () => {
    const f = figure('topology');
    expect(f.properties.dataKind).toBe('network');
    const svgs = selectAll('.lab-drawing svg[role="img"]', f);
    expect(svgs).toHaveLength(2);
    expect(svgs[0]?.properties.ariaLabel).toMatch(/^veth0 on br0/);
    expect(textOf(select('.lab-drawing .lab-diagram-light', f) as Element)).toMatch(/veth1[\s\S]*10\.200\.0\.2\/24/);
    expect(textOf(select('details.lab-snapshot', f) as Element)).toMatch(/"namespaces"/);
    expect(select('pre.lab-terminal', f)).toBeUndefined();
    // A check's drawing stays in view under its claim; the code and the raw output fold away.
    expect(select('details .lab-drawing', f)).toBeUndefined();
    expect(select('details summary.lab-claim', f)).toBeDefined();
  });

  it("carries what the page's Compare button compares, as labbook check does", () => {
    expect(figure('topology').properties).toMatchObject({
      dataKind: 'network',
      dataExpect: 'peer veth0 in c1; master veth0 is br0; parent mv1 is up0; kind mv1 is macvlan',
    });
    expect(figure('topology').properties.dataCompare).toBeUndefined();
    expect(figure('usage').properties.dataCompare).toBe('status');
  });

  it('reads a structural check as verified when its snapshot shows the claim', () => {
    expect(textOf(select('summary.lab-claim', figure('topology')) as Element)).toBe(
      "Verified: veth0's peer is in c1, on br0; mv1's parent is up0",
    );
    expect(textOf(select('summary.lab-claim', figure('layers')) as Element)).toMatch(/^Verified: /);
  });

  it('plots samples as an SVG chart without JavaScript', () => {
    const svg = select('.lab-drawing svg.lab-plot', figure('usage')) as Element;
    expect(svg.properties.ariaLabel).toBe('A counter sampled three times');
    expect(selectAll('polyline', svg)).toHaveLength(1);
  });
});
