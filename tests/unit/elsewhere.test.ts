/**
 * Cells recorded on another target than their chapter (a VM with ipvlan, for a host without):
 * what `labbook record --only-skipped` puts in, what a re-recording here keeps, and how
 * `labbook check` judges them on a target that skips them.
 */
import { describe, expect, it } from 'vitest';
import { compareRun } from '../../src/cells/compare.ts';
import { fillFromElsewhere, keepRecordedElsewhere, recordableElsewhere } from '../../src/cells/elsewhere.ts';
import { type Cell, parseChapter } from '../../src/cells/parse.ts';
import type { CellRecording, Environment, Recording } from '../../src/cells/recording.ts';
import { HOST, IPVLAN_CELL, LACKS_IPVLAN, VM } from '../fixtures/elsewhere.ts';

const chapter = parseChapter(
  [
    '```sh run id=setup',
    'ip link add up1 type veth peer name up1-sw',
    '```',
    '',
    ...IPVLAN_CELL,
    '```sh run id=after',
    'echo after',
    '```',
    '',
  ].join('\n'),
  'ch.md',
);
const cells = chapter.cells;
const byId = (id: string) => cells.find((c) => c.id === id) as Cell;

function cellRec(id: string, status: CellRecording['status'], output = '', hash = byId(id).hash): CellRecording {
  const skipped = status === 'skipped';
  return {
    id,
    hash,
    status,
    exitCode: skipped ? null : status === 'passed' ? 0 : 1,
    durationMs: skipped ? 0 : 5,
    output,
    droppedBytes: 0,
    ...(skipped ? { reason: LACKS_IPVLAN } : {}),
  };
}

function recording(environment: Environment, recordedAt: string, list: CellRecording[]): Recording {
  return { version: 1, chapter: 'ch', recordedAt, environment, cells: list };
}

const onHost = recording(HOST, '2026-11-30T09:00:00.000Z', [
  cellRec('setup', 'passed'),
  cellRec('ipvlan', 'skipped'),
  cellRec('after', 'passed', 'after\r\n'),
]);
const onVm = recording(VM, '2026-11-30T10:00:00.000Z', [
  cellRec('setup', 'passed', 'vm output\r\n'),
  cellRec('ipvlan', 'passed', 'ipvlan output\r\n'),
  cellRec('after', 'passed', 'after, on the vm\r\n'),
]);

describe('recording skipped cells on another target', () => {
  it('puts in only the cells the recording skipped, stamped with where, when and why', () => {
    const { recording: merged, filled, left } = fillFromElsewhere(cells, onHost, onVm);
    expect(left).toEqual([]);
    expect(filled.map((c) => c.id)).toEqual(['ipvlan']);
    expect(merged.environment).toEqual(HOST);
    expect(merged.recordedAt).toBe(onHost.recordedAt);
    expect(merged.cells[0]).toEqual(onHost.cells[0]);
    expect(merged.cells[2]).toEqual(onHost.cells[2]);
    expect(merged.cells[1]).toMatchObject({ status: 'passed', output: 'ipvlan output\r\n' });
    expect(merged.cells[1]?.environment).toEqual({
      ...VM,
      recordedAt: onVm.recordedAt,
      skippedHere: LACKS_IPVLAN,
    });
  });

  it('keeps the recording as it was when the cell did not run to an end there', () => {
    const timedOut = {
      ...onVm,
      cells: onVm.cells.map((c) => (c.id === 'ipvlan' ? cellRec('ipvlan', 'timed-out') : c)),
    };
    const { recording: merged, filled, left } = fillFromElsewhere(cells, onHost, timedOut);
    expect(filled).toEqual([]);
    expect(merged).toEqual(onHost);
    expect(left).toEqual([{ id: 'ipvlan', why: 'timed-out on labbook vm' }]);
  });

  it('leaves a cell that did not run there (the run started after it)', () => {
    const later = { ...onVm, cells: onVm.cells.filter((c) => c.id === 'after') };
    const { recording: merged, left } = fillFromElsewhere(cells, onHost, later);
    expect(merged).toEqual(onHost);
    expect(left).toEqual([{ id: 'ipvlan', why: 'not run there (it comes before --from)' }]);
  });

  it('leaves a cell whose code changed since it was skipped: its chapter must be recorded here first', () => {
    const stale = { ...onHost, cells: onHost.cells.map((c) => (c.id === 'ipvlan' ? { ...c, hash: 'old' } : c)) };
    expect(recordableElsewhere(cells, stale)).toEqual([]);
    const { filled, left } = fillFromElsewhere(cells, stale, onVm);
    expect(filled).toEqual([]);
    expect(left[0]?.id).toBe('ipvlan');
  });

  it('records a cell recorded elsewhere again there, keeping why it was skipped here', () => {
    const once = fillFromElsewhere(cells, onHost, onVm).recording;
    expect(recordableElsewhere(cells, once).map((c) => c.id)).toEqual(['ipvlan']);
    const later = { ...onVm, recordedAt: '2026-12-01T00:00:00.000Z' };
    const twice = fillFromElsewhere(cells, once, later).recording;
    expect(twice.cells[1]?.environment).toMatchObject({ recordedAt: later.recordedAt, skippedHere: LACKS_IPVLAN });
  });

  it('keeps what was recorded elsewhere when the chapter is recorded here again and skips it again', () => {
    const merged = fillFromElsewhere(cells, onHost, onVm).recording;
    const again = { ...onHost, recordedAt: '2026-12-02T00:00:00.000Z' };
    expect(keepRecordedElsewhere(again, merged).cells[1]).toEqual(merged.cells[1]);
    // The reason it is skipped here is this run's, when the wording changed since.
    const reworded = {
      ...again,
      cells: again.cells.map((c) => (c.id === 'ipvlan' ? { ...c, reason: 'reworded' } : c)),
    };
    expect(keepRecordedElsewhere(reworded, merged).cells[1]?.environment?.skippedHere).toBe('reworded');
    // Changed code: what the VM recorded no longer belongs to this cell.
    const changed = { ...again, cells: again.cells.map((c) => (c.id === 'ipvlan' ? { ...c, hash: 'new' } : c)) };
    expect(keepRecordedElsewhere(changed, merged).cells[1]?.environment).toBeUndefined();
  });
});

describe('checking a cell recorded on another target', () => {
  const merged = fillFromElsewhere(cells, onHost, onVm).recording;

  it('is no mismatch when this run skips it: its recording stays the proof from there', () => {
    expect(compareRun(cells, onHost, merged)).toEqual([]);
  });

  it('is stale as before once its code changed', () => {
    const edited = cells.map((c) => (c.id === 'ipvlan' ? { ...c, hash: 'edited' } : c));
    const problems = compareRun(edited, onHost, merged);
    expect(problems).toEqual([expect.objectContaining({ cell: 'ipvlan', kind: 'stale' })]);
  });

  it('is compared as usual on a target that runs it', () => {
    const differs = { ...onVm, cells: onVm.cells.map((c) => (c.id === 'ipvlan' ? { ...c, output: 'other\r\n' } : c)) };
    const problems = compareRun(cells, differs, merged).filter((p) => p.cell === 'ipvlan');
    expect(problems).toEqual([expect.objectContaining({ kind: 'output' })]);
  });

  it('still fails a cell recorded here as run, that this run skips', () => {
    const skipsAfter = {
      ...onHost,
      cells: onHost.cells.map((c) => (c.id === 'after' ? cellRec('after', 'skipped') : c)),
    };
    expect(compareRun(cells, skipsAfter, merged)).toEqual([expect.objectContaining({ cell: 'after', kind: 'status' })]);
  });
});
