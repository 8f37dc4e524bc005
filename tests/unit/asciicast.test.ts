/** src/cells/timing.ts and src/cells/asciicast.ts: when output came, and a recording as asciicast v2 and v3. */
import { describe, expect, it } from 'vitest';
import { asciicast } from '../../src/cells/asciicast.ts';
import { parseChapter } from '../../src/cells/parse.ts';
import { cellRecording, type Recording } from '../../src/cells/recording.ts';
import { coversOutput, pieces, Timing } from '../../src/cells/timing.ts';

describe('Timing', () => {
  it('keeps each piece at its offset, pieces closer than 20 ms as one', () => {
    const t = new Timing();
    t.add(3.4, 5);
    t.add(10, 2);
    t.add(1004, 5);
    t.add(1005, 0);
    expect(t.toString()).toBe('3:7 1004:5');
    expect(pieces('hello, world', t.toString())).toEqual([
      { ms: 3, text: 'hello, ' },
      { ms: 1004, text: 'world' },
    ]);
  });

  it('is refused by a recording when it does not cover the output in order', () => {
    const cell = { id: 'a', hash: 'h', exitCode: 0, durationMs: 9, output: 'abc', droppedBytes: 0, status: 'passed' };
    expect(cellRecording.safeParse({ ...cell, timing: '1:2 5:1' }).success).toBe(true);
    expect(cellRecording.safeParse({ ...cell, timing: '1:2' }).success).toBe(false);
    expect(cellRecording.safeParse({ ...cell, timing: '5:2 1:1' }).success).toBe(false);
    expect(cellRecording.safeParse({ ...cell, timing: 'soon' }).success).toBe(false);
    expect(coversOutput('0:3', 3)).toBe(true);
  });

  it('puts the output of a recording without timing at the start', () => {
    expect(pieces('all\r\n', undefined)).toEqual([{ ms: 0, text: 'all\r\n' }]);
    expect(pieces('', undefined)).toEqual([]);
  });
});

describe('asciicast', () => {
  const chapter = parseChapter(
    [
      '```sh run id=prep setup',
      'x=1',
      '```',
      '',
      '```sh run id=tick',
      'echo one; sleep 1; echo two',
      '```',
      '',
      '```sh run id=gone requires=ipvlan',
      'ip link add link lo name ipv0 type ipvlan',
      '```',
      '',
    ].join('\n'),
    'ch.md',
  );
  const [prep, tick, gone] = chapter.cells;
  const recording: Recording = {
    version: 1,
    chapter: 'ch',
    recordedAt: '2026-12-04T10:00:00.000Z',
    environment: {
      target: 'local',
      kernel: '6.18',
      arch: 'x86_64',
      distro: 'Debian',
      iproute2: '6.1',
      utilLinux: '2.38',
      cgroup: 'hybrid',
    },
    cells: [
      { id: 'prep', hash: prep?.hash ?? '', exitCode: 0, durationMs: 3, output: '', droppedBytes: 0, status: 'passed' },
      {
        id: 'tick',
        hash: tick?.hash ?? '',
        exitCode: 0,
        durationMs: 1010,
        output: 'one\r\ntwo\r\n',
        droppedBytes: 0,
        timing: '4:5 1006:5',
        status: 'passed',
      },
      {
        id: 'gone',
        hash: gone?.hash ?? '',
        exitCode: null,
        durationMs: 0,
        output: '',
        droppedBytes: 0,
        status: 'skipped',
        missing: 'ipvlan',
      },
    ],
  };
  const lines = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));

  it('writes v2: the terminal, then per shown cell a marker, its command and its output at absolute times', () => {
    const [header, ...events] = lines(asciicast(recording, chapter.cells, 2));
    expect(header).toEqual({
      version: 2,
      width: 100,
      height: 30,
      timestamp: Date.parse('2026-12-04T10:00:00Z') / 1000,
      title: 'ch on local',
    });
    expect(events).toEqual([
      [0.5, 'm', 'tick'],
      [0.5, 'o', '\x1b[1;32m$\x1b[0m echo one; sleep 1; echo two\r\n'],
      [0.804, 'o', 'one\r\n'],
      [1.806, 'o', 'two\r\n'],
      [2.31, 'm', 'gone'],
      [2.31, 'o', '\x1b[1;32m$\x1b[0m ip link add link lo name ipv0 type ipvlan\r\n'],
      [2.61, 'o', '\x1b[2m[skipped: needs ipvlan, but this kernel lacks ipvlan]\x1b[0m\r\n'],
    ]);
  });

  it('writes v3: intervals, markers that say how each cell ended, and the exit status last', () => {
    const [header, ...events] = lines(asciicast(recording, chapter.cells, 3));
    expect(header).toMatchObject({ version: 3, term: { cols: 100, rows: 30, type: 'xterm-256color' } });
    expect(events.map((e) => e[1])).toEqual(['m', 'o', 'o', 'o', 'm', 'o', 'o', 'x']);
    expect(events[0]).toEqual([0.5, 'm', 'tick: exit 0']);
    expect(events[2]).toEqual([0.304, 'o', 'one\r\n']);
    expect(events[3]).toEqual([1.002, 'o', 'two\r\n']);
    expect(events[4]).toEqual([0.504, 'm', 'gone: skipped']);
    expect(events.at(-1)).toEqual([0.5, 'x', '0']);
    const failed = { ...recording, cells: [{ ...recording.cells[1], status: 'failed', expectedExit: 0 }] } as Recording;
    expect(lines(asciicast(failed, chapter.cells, 3)).at(-1)).toEqual([0.5, 'x', '1']);
  });

  it('does not type the command of a cell recorded from other code', () => {
    const other = { ...recording, cells: [{ ...recording.cells[1], hash: 'other' }] } as Recording;
    const events = lines(asciicast(other, chapter.cells, 2)).slice(1);
    expect(events.map((e) => e[2])).toEqual(['tick', 'one\r\n', 'two\r\n']);
  });
});
