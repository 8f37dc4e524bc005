/**
 * Structured outputs: the models read from recorded snapshots (tests/fixtures/structure.md,
 * recorded in a real lab), the diagrams drawn from them, and the structural checks, which
 * must change when the structure does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareRun } from '../../src/cells/compare.ts';
import { plainText } from '../../src/cells/normalize.ts';
import { loadChapter, parseChapter } from '../../src/cells/parse.ts';
import type { Recording } from '../../src/cells/recording.ts';
import { readStructure, structureMermaid, unmetExpectations } from '../../src/cells/structure/index.ts';
import { parseSamples, plotSvg } from '../../src/cells/structure/samples.ts';

const fixture = new URL('../fixtures/structure.md', import.meta.url).pathname;
const chapter = loadChapter(fixture);
const recording: Recording = JSON.parse(readFileSync(fixture.replace(/\.md$/, '.recording.json'), 'utf8'));
const output = (id: string) => recording.cells.find((c) => c.id === id)?.output ?? '';
const cell = (id: string) => chapter.cells.find((c) => c.id === id) ?? expect.unreachable();

/** The recording with one cell's snapshot changed by `edit` (its JSON, parsed). */
function edited(
  id: string,
  edit: (json: { namespaces: { name: string; links: Record<string, unknown>[] }[] }) => void,
) {
  const copy: Recording = structuredClone(recording);
  const c = copy.cells.find((x) => x.id === id) ?? expect.unreachable();
  const json = JSON.parse(c.output);
  edit(json);
  c.output = JSON.stringify(json);
  return copy;
}

describe('a network snapshot', () => {
  const s = readStructure('network', output('topology'));

  it('joins veth peers across namespaces, ports to bridges, macvlans to parents', () => {
    const mermaid = structureMermaid(s as Exclude<typeof s, { kind: 'samples' }>);
    expect(mermaid).toContain('lab_veth0 <-->|veth| c1_veth1');
    expect(mermaid).toContain('lab_veth0 ---|port| lab_br0');
    expect(mermaid).toContain('lab_up0 -.->|macvlan| c1_mv1');
    // A pair in one namespace: ip names the peer ("link") instead of giving its index.
    expect(mermaid).toMatch(/lab_up0_sw <-->\|veth\| lab_up0\n|lab_up0 <-->\|veth\| lab_up0_sw\n/);
    expect(unmetExpectations(s, 'peer up0 is up0-sw; peer up0-sw in lab')).toEqual([]);
    expect(mermaid).toContain('10.200.0.2/24');
    expect(unmetExpectations(s, cell('topology').expect ?? '')).toEqual([]);
  });

  it('changes its diagram and fails its check when the veth peer is gone', () => {
    const broken = edited('topology', (json) => {
      const c1 = json.namespaces.find((n) => n.name === 'c1') ?? expect.unreachable();
      c1.links = c1.links.filter((l) => l.ifname !== 'veth1');
    });
    const after = readStructure('network', broken.cells.find((c) => c.id === 'topology')?.output ?? '');
    const mermaid = structureMermaid(after as Exclude<typeof after, { kind: 'samples' }>);
    expect(mermaid).not.toContain('lab_veth0 <-->|veth|');
    expect(mermaid).not.toContain('veth1');
    expect(unmetExpectations(after, 'peer veth0 in c1')).toEqual(['"peer veth0 in c1" does not hold']);
    // labbook check and npm test see it as a failed structural check.
    const problems = compareRun(chapter.cells, broken, recording);
    expect(problems).toEqual([
      expect.objectContaining({ cell: 'topology', kind: 'failed', message: expect.stringMatching(/peer veth0 in c1/) }),
    ]);
  });

  it('compares runs by the structure they draw, not by volatile details', () => {
    const renamedMacs = edited('topology', (json) => {
      for (const ns of json.namespaces)
        for (const l of ns.links) if (l.ifname !== 'lo') l.address = '02:00:00:00:00:99';
    });
    expect(compareRun(chapter.cells, renamedMacs, recording)).toEqual([]);
    const moved = edited('topology', (json) => {
      const c1 = json.namespaces.find((n) => n.name === 'c1') ?? expect.unreachable();
      for (const l of c1.links) if (l.ifname === 'veth1') l.addr_info = [];
    });
    expect(compareRun(chapter.cells, moved, recording).map((p) => p.kind)).toEqual(['output']);
  });
});

describe('a process snapshot', () => {
  it('nests the container PID namespace in the lab one, with PIDs at both levels', () => {
    const s = readStructure('processes', output('pids'));
    const mermaid = structureMermaid(s as Exclude<typeof s, { kind: 'samples' }>);
    expect(mermaid).toMatch(
      /subgraph pidns_\d+\["the lab's pid namespace"\][\s\S]*subgraph pidns_\d+\["child pid namespace, level 1"\][\s\S]*bash: PID 1<br\/><small>PID \d+ seen from above/,
    );
    expect(unmetExpectations(s, 'pid1 bash; depth bash is 1')).toEqual([]);
    expect(unmetExpectations(s, 'pid1 unshare')).toEqual(['"pid1 unshare" does not hold']);
    expect(unmetExpectations(s, 'bash with pid1 bash')).toEqual([]);
    expect(unmetExpectations(s, 'unshare with pid1 bash')).toEqual(['"unshare with pid1 bash" does not hold']);
  });

  it('draws the same structure when only the PIDs differ', () => {
    const json = JSON.parse(plainText(output('pids')));
    const shift = (pid: number) => (pid > 1 ? pid + 7 : pid); // the lab's init stays PID 1
    for (const p of json.processes) {
      p.pid = shift(p.pid);
      p.ppid = shift(p.ppid);
      p.nspid[0] = shift(p.nspid[0]);
    }
    const copy: Recording = structuredClone(recording);
    const c = copy.cells.find((x) => x.id === 'pids') ?? expect.unreachable();
    c.output = JSON.stringify(json);
    expect(compareRun(chapter.cells, copy, recording)).toEqual([]);
  });
});

describe('an overlay snapshot', () => {
  it('says which layer each merged file comes from, and where the whiteouts are', () => {
    const s = readStructure('overlay', output('layers'));
    if (s.kind !== 'overlay') expect.unreachable();
    expect(s.model.files).toEqual([
      { path: 'a', from: 'l1' },
      { path: 'b', from: 'l2' },
      { path: 'n', from: 'u' },
    ]);
    expect(s.model.whiteouts).toEqual([{ path: 'c', layer: 'u' }]);
    expect(unmetExpectations(s, 'file a from l2')).toEqual(['"file a from l2" does not hold']);
  });
});

describe('samples', () => {
  it('are plotted as an SVG chart with its text alternative', () => {
    const series = parseSamples('quota 0 0\nquota 0.1 20\nnone 0 0\nnone 0.1 99');
    const svg = plotSvg(series, { title: 'CPU with and without a quota', x: 'time (s)', y: 'CPU (%)' });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="CPU with and without a quota"/);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    // The y axis ends at a round number near the highest value, not at twice it.
    expect(plotSvg(parseSamples('a 0 0\na 1 101'), { title: 't', x: 'x', y: 'y' })).toMatch(/>120<\/text>/);
    expect(() => parseSamples('not a sample')).toThrow(/SERIES TIME VALUE/);
  });
});

describe('authoring', () => {
  it('rejects a data cell without a title, an expectation of the wrong kind, expect without check', () => {
    const fence = (meta: string) => `\`\`\`sh run id=a ${meta}\ntrue\n\`\`\`\n`;
    const errors = (meta: string) => {
      try {
        parseChapter(fence(meta), 'ch.md');
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(errors('data=network')).toMatch(/has no title/);
    expect(errors('data=network title=x check claim=y expect="file a from b"')).toMatch(
      /not an expectation about network/,
    );
    expect(errors('data=overlay title=x expect="file a from b"')).toMatch(/must be a check/);
    expect(errors('title=x')).toMatch(/go with data=/);
  });
});
