/**
 * The one comparer of a cell's run with its recording (src/cells/compare.ts), which
 * `labbook check`, `npm test` (compareRun) and the page's Compare button (compareCell) use.
 * The cases below are run through both entries: they must give the same answer. Data cells
 * are compared by their structure, not by their drawing's text.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type CellRun, compareCell, compareRun } from '../../src/cells/compare.ts';
import { plainText } from '../../src/cells/normalize.ts';
import { type Cell, loadChapter } from '../../src/cells/parse.ts';
import { type Reason, reasonText } from '../../src/cells/reasons.ts';
import type { CellRecording, Recording } from '../../src/cells/recording.ts';
import { readStructure, structureMermaid } from '../../src/cells/structure/index.ts';

// The drawing relabelled: each interface with its ifindex and without its addresses. Runs must
// compare as before, since they are compared by their structure, not by what is drawn.
const drawing = vi.hoisted(() => ({ relabelled: false }));
vi.mock('../../src/cells/structure/network.ts', async (original) => {
  const m = await original<typeof import('../../src/cells/structure/network.ts')>();
  return {
    ...m,
    networkMermaid: (model: Parameters<typeof m.networkMermaid>[0]) =>
      drawing.relabelled
        ? [
            'flowchart LR',
            ...model.namespaces.flatMap((ns) => ns.interfaces.map((i) => `  ${i.name}["#${i.ifindex}"]`)),
          ].join('\n')
        : m.networkMermaid(model),
  };
});

const fixture = new URL('../fixtures/structure.md', import.meta.url).pathname;
const chapter = loadChapter(fixture);
const recording: Recording = JSON.parse(readFileSync(fixture.replace(/\.md$/, '.recording.json'), 'utf8'));
const cellOf = (id: string) => chapter.cells.find((c) => c.id === id) ?? expect.unreachable();
const recordedOf = (id: string) => recording.cells.find((c) => c.id === id) ?? expect.unreachable();

/** A snapshot's JSON changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into ip's and /proc's JSON as they please.
function editJson(output: string, edit: (json: any) => void): string {
  const json = JSON.parse(plainText(output));
  edit(json);
  return JSON.stringify(json);
}

const textCell: Cell = {
  id: 'greet',
  session: 'lab',
  timeoutMs: 30_000,
  exit: 0,
  requires: [],
  check: false,
  role: 'main',
  hidden: false,
  compare: 'text',
  code: 'echo hi',
  hash: '0123456789abcdef',
  file: 'chapter.md',
  line: 1,
};
/** A run as the page has it (its reason in words) and as a recording holds it (its reason as data, for checkAnswer). */
const run = (status: CellRun['status'], output: string, why: Reason = {}): CellRun & Reason => {
  const reason = reasonText(why);
  return { status, output, ...why, ...(reason ? { reason } : {}) };
};
const topology = recordedOf('topology');
const pids = recordedOf('pids');

interface Case {
  name: string;
  cell: Cell;
  recorded: CellRun;
  fresh: CellRun;
  same: boolean;
  /** The kinds of problems, and a text each must contain. */
  problems: [kind: string, text: RegExp][];
}

const CASES: Case[] = [
  {
    name: 'the same output with other PIDs and times',
    cell: textCell,
    recorded: run('passed', 'sleep(41) at 12:00:01\r\n'),
    fresh: run('passed', 'sleep(977) at 13:14:15\r\n'),
    same: true,
    problems: [],
  },
  {
    name: 'another output',
    cell: textCell,
    recorded: run('passed', 'LOUD\r\n'),
    fresh: run('passed', 'QUIET\r\n'),
    same: false,
    problems: [['output', /^greet: the output differs from the recording$/]],
  },
  {
    name: 'another status',
    cell: textCell,
    recorded: run('passed', 'hi\r\n'),
    fresh: run('skipped', '', { missing: 'ipvlan' }),
    same: false,
    problems: [['status', /^greet: recorded as passed, now skipped \(needs ipvlan, but this kernel lacks ipvlan\)$/]],
  },
  {
    name: 'a failed run, whatever the recording',
    cell: textCell,
    recorded: run('passed', 'hi\r\n'),
    fresh: run('timed-out', 'hi\r\n', { timeoutMs: 30_000 }),
    same: false,
    problems: [['failed', /^greet: timed-out \(timed out after 30 s\)$/]],
  },
  {
    name: 'another value in the part a cell marks volatile, the rest the same',
    cell: { ...textCell, volatile: 'load [0-9.]+' },
    recorded: run('passed', 'load 0.52, 3 tasks\r\n'),
    fresh: run('passed', 'load 1.97, 3 tasks\r\n'),
    same: true,
    problems: [],
  },
  {
    name: 'another output beyond the part a cell marks volatile',
    cell: { ...textCell, volatile: 'load [0-9.]+' },
    recorded: run('passed', 'load 0.52, 3 tasks\r\n'),
    fresh: run('passed', 'load 1.97, 4 tasks\r\n'),
    same: false,
    problems: [['output', /^greet: the output differs from the recording$/]],
  },
  {
    name: 'another output of a cell that compares only its status',
    cell: { ...textCell, compare: 'status' },
    recorded: run('passed', '12.5\r\n'),
    fresh: run('passed', '99.1\r\n'),
    same: true,
    problems: [],
  },
  {
    name: 'a network snapshot with other MACs, ifindexes and listing order',
    cell: cellOf('topology'),
    recorded: topology,
    fresh: run(
      'passed',
      editJson(topology.output, (json) => {
        for (const ns of json.namespaces) {
          ns.links.reverse();
          for (const l of ns.links) {
            if (l.ifname !== 'lo') l.address = '02:00:00:00:00:99';
            l.ifindex += 10;
            if (l.link_index) l.link_index += 10;
          }
        }
      }),
    ),
    same: true,
    problems: [],
  },
  {
    name: 'a network snapshot whose veth lost its address',
    cell: cellOf('topology'),
    recorded: topology,
    fresh: run(
      'passed',
      editJson(topology.output, (json) => {
        for (const l of json.namespaces[1].links) if (l.ifname === 'veth1') l.addr_info = [];
      }),
    ),
    same: false,
    problems: [['output', /the output differs/]],
  },
  {
    name: 'a network snapshot that breaks an expectation',
    cell: cellOf('topology'),
    recorded: topology,
    fresh: run(
      'passed',
      editJson(topology.output, (json) => {
        json.namespaces[1].links = json.namespaces[1].links.filter((l: { ifname: string }) => l.ifname !== 'veth1');
      }),
    ),
    same: false,
    problems: [['failed', /^topology: "peer veth0 in c1" does not hold/]],
  },
  {
    name: 'a process snapshot with other PIDs and inodes',
    cell: cellOf('pids'),
    recorded: pids,
    fresh: run(
      'passed',
      editJson(pids.output, (json) => {
        for (const p of json.processes) {
          const shift = (pid: number) => (pid > 1 ? pid + 7 : pid);
          p.pid = shift(p.pid);
          p.ppid = shift(p.ppid);
          p.nspid[0] = shift(p.nspid[0]);
          p.pidns += 1000;
        }
      }),
    ),
    same: true,
    problems: [],
  },
  {
    name: 'a process snapshot with one more process, its expectations still holding',
    cell: cellOf('pids'),
    recorded: pids,
    fresh: run(
      'passed',
      editJson(pids.output, (json) => {
        const init = json.processes.find((p: { nspid: number[] }) => p.nspid.length === 2);
        json.processes.push({ pid: 900, ppid: init.pid, comm: 'sleep', nspid: [900, 2], pidns: init.pidns });
      }),
    ),
    same: false,
    problems: [['output', /the output differs/]],
  },
  {
    name: 'an unreadable snapshot',
    cell: cellOf('layers'),
    recorded: recordedOf('layers'),
    fresh: run('passed', 'find: m: No such file or directory\r\n'),
    same: false,
    problems: [['failed', /^layers: the output of a data=overlay cell is not JSON$/]],
  },
];

/** `labbook check`'s answer for one cell: compareRun over a chapter of that cell alone. */
function checkAnswer(c: Case) {
  const rec = (r: CellRun): CellRecording => ({
    id: c.cell.id,
    hash: c.cell.hash,
    exitCode: 0,
    durationMs: 1,
    droppedBytes: 0,
    ...r,
  });
  const env = { target: 'local', kernel: '6.1', arch: 'x86_64', distro: 'Debian 12', iproute2: '6', utilLinux: '2' };
  const chapterOf = (cells: CellRecording[]): Recording => ({
    version: 1,
    chapter: 'c',
    recordedAt: '2026-12-01T00:00:00.000Z',
    environment: { ...env, cgroup: 'v2' },
    cells,
  });
  return compareRun([c.cell], chapterOf([rec(c.fresh)]), chapterOf([rec(c.recorded)]));
}

describe('compareCell, the comparer of labbook check and of the page', () => {
  for (const c of CASES) {
    it(`gives one answer for ${c.name}`, () => {
      const page = compareCell(c.cell, c.fresh, c.recorded);
      expect(page.same).toBe(c.same);
      expect(page.problems.map((p) => p.kind)).toEqual(c.problems.map(([kind]) => kind));
      page.problems.forEach((p, i) => {
        expect(p.message).toMatch(c.problems[i]?.[1] ?? /^$/);
      });
      // labbook check and npm test: the same problems, from the same function.
      expect(checkAnswer(c)).toEqual(page.problems);
    });
  }

  it('says what changed in a snapshot line by line: the interface, not the whole drawing', () => {
    const c = CASES.find((x) => x.name.includes('lost its address')) ?? expect.unreachable();
    const { compared, problems } = compareCell(c.cell, c.fresh, c.recorded);
    expect(problems[0]?.diff).toMatch(/^-.*"addresses": \["10\.200\.0\.2\/24"\].*"name": "veth1"/m);
    expect(problems[0]?.diff).toMatch(/^\+.*"addresses": \[\].*"name": "veth1"/m);
    expect(compared?.recorded).not.toMatch(/02:|ifindex|"mac"/);
  });

  it('compares a relabelled drawing of the same structure as the same, and another structure as another', () => {
    const s = readStructure('network', topology.output);
    if (s.kind === 'samples') expect.unreachable();
    const before = structureMermaid(s);
    const other = (name: string) => CASES.find((x) => x.name.includes(name)) ?? expect.unreachable();
    drawing.relabelled = true;
    try {
      expect(structureMermaid(s)).not.toBe(before);
      for (const c of [other('other MACs, ifindexes'), other('lost its address')]) {
        expect(compareCell(c.cell, c.fresh, c.recorded).same, c.name).toBe(c.same);
      }
    } finally {
      drawing.relabelled = false;
    }
  });

  it('keeps PID 1 as itself and binds other PIDs in their own namespace', () => {
    const snapshot = (processes: [number, number, string, number[], number][]) =>
      JSON.stringify({
        processes: processes.map(([pid, ppid, comm, nspid, pidns]) => ({ pid, ppid, comm, nspid, pidns })),
      });
    const a = snapshot([
      [1, 0, 'bash', [1], 4026532222],
      [9, 1, 'unshare', [9], 4026532222],
      [10, 9, 'bash', [10, 1], 4026532333],
      [12, 10, 'sleep', [12, 9], 4026532333],
    ]);
    // The lab's 9 and the child's 9 are two processes: other numbers, the same structure.
    const b = snapshot([
      [1, 0, 'bash', [1], 4026532999],
      [20, 1, 'unshare', [20], 4026532999],
      [21, 20, 'bash', [21, 1], 4026533000],
      [23, 21, 'sleep', [23, 5], 4026533000],
    ]);
    // The container's bash is not its namespace's PID 1 any more: sleep is.
    const c = snapshot([
      [1, 0, 'bash', [1], 4026532222],
      [9, 1, 'unshare', [9], 4026532222],
      [10, 12, 'bash', [10, 2], 4026532333],
      [12, 9, 'sleep', [12, 1], 4026532333],
    ]);
    const cell = { id: 'p', data: 'processes' as const };
    expect(compareCell(cell, run('passed', b), run('passed', a)).same).toBe(true);
    expect(compareCell(cell, run('passed', c), run('passed', a)).problems.map((p) => p.kind)).toEqual(['output']);
    // A snapshot is a cell's output: one that makes a namespace its own parent is compared, not looped over.
    const looped = snapshot([
      [1, 0, 'bash', [1], 4026532222],
      [10, 12, 'bash', [10, 1], 4026532333],
      [12, 10, 'sleep', [12, 2], 4026532333],
    ]);
    expect(compareCell(cell, run('passed', looped), run('passed', a)).problems.map((p) => p.kind)).toEqual(['output']);
  });
});

describe('the page', () => {
  it("calls compareCell for its Compare button, and its comparer brings no Node module into the page's bundle", () => {
    const client = new URL('../../src/live/client/cell-view.ts', import.meta.url).pathname;
    expect(readFileSync(client, 'utf8')).toMatch(/compareCell\(cell, fresh, recorded\)/);
    // Every module the client's comparer loads at run time (type-only imports are erased).
    const seen = new Set<string>();
    const visit = (file: string): string[] => {
      if (seen.has(file)) return [];
      seen.add(file);
      const imports = [...readFileSync(file, 'utf8').matchAll(/^import (?!type )(?:[^'";]*? from )?'([^']+)'/gm)].map(
        (m) => m[1] as string,
      );
      return imports.flatMap((spec) =>
        spec.startsWith('.') ? visit(resolve(dirname(file), spec)) : spec.startsWith('node:') ? [spec] : [],
      );
    };
    const compare = new URL('../../src/cells/compare.ts', import.meta.url).pathname;
    expect(visit(compare)).toEqual([]);
    expect([...seen].map((f) => f.replace(/.*\/src\//, 'src/'))).toEqual(
      expect.arrayContaining(['src/cells/compare.ts', 'src/cells/normalize.ts', 'src/cells/structure/network.ts']),
    );
  });
});
