/**
 * What the recordings prove, by entry of the matrix, for one chapter (its table,
 * proven-table.ts) or for the whole tutorial (the home page, components/ProvenOn.astro): on
 * which kernels, since when, and how many cells passed, were skipped (and why), failed, or
 * have no recording of their current code there. Hidden cells count: they ran too.
 *
 *   [{ cells, recordings: [local's recording, vm:debian12's (none), ...] }]
 *   -> [{ entry: local, environments: [{ kernel: '6.18.44-fc-v657', distro: 'Debian GNU/Linux 12 (bookworm)', ... }],
 *         oldest: '2026-11-30T09:00:00.000Z', passed: 40, failed: 0, notRecorded: 0,
 *         skipped: [{ id: 'ipvlan-l2', rec: { status: 'skipped', missing: 'ipvlan', ... } }] },
 *       { entry: vm:debian12, environments: [], oldest: undefined, passed: 0, failed: 0, notRecorded: 42, skipped: [] }, ...]
 */
import { listChapters } from '../cells/chapters.ts';
import { MATRIX, type MatrixEntry } from '../cells/matrix.ts';
import { type Cell, loadChapter } from '../cells/parse.ts';
import type { CellRecording, Environment } from '../cells/recording.ts';
import { type EntryRecording, entryRuns, readRecordings } from './cell-runs.ts';
import { pageOf } from './page.ts';

export interface ChapterRuns {
  cells: Cell[];
  /** Its recordings, in the matrix's order. */
  recordings: EntryRecording[];
}

export interface EntryProof {
  entry: MatrixEntry;
  /** Where its chapters were recorded, each machine once (one, unless it changed between chapters). */
  environments: Environment[];
  /** When the oldest of its chapters' recordings was made; undefined: none is. */
  oldest: string | undefined;
  passed: number;
  /** Failed, timed out or ended in error. */
  failed: number;
  /** No recording of the cell's current code (a non-strict build only). */
  notRecorded: number;
  /** Each with its recording, which holds why (in no language yet: reasons.ts words it). */
  skipped: { id: string; rec: CellRecording }[];
}

/** Every chapter of the docs with its recordings. */
export const tutorialRuns = (): ChapterRuns[] =>
  listChapters().map(({ file }) => ({ cells: loadChapter(file).cells, recordings: readRecordings(pageOf(file)) }));

const sameMachine = (a: Environment, b: Environment) => a.kernel === b.kernel && a.distro === b.distro;

export function proofByEntry(chapters: ChapterRuns[]): EntryProof[] {
  const proofs = MATRIX.map(
    (entry): EntryProof => ({
      entry,
      environments: [],
      oldest: undefined,
      passed: 0,
      failed: 0,
      notRecorded: 0,
      skipped: [],
    }),
  );
  const of = (entry: MatrixEntry) => proofs.find((p) => p.entry === entry) as EntryProof;
  for (const { cells, recordings } of chapters) {
    for (const { entry, recording } of recordings) {
      if (!recording) continue;
      const proof = of(entry);
      const env = recording.environment;
      if (!proof.environments.some((e) => sameMachine(e, env))) proof.environments.push(env);
      if (!proof.oldest || recording.recordedAt < proof.oldest) proof.oldest = recording.recordedAt;
    }
    for (const cell of cells) {
      for (const { entry, rec, current } of entryRuns(cell, recordings)) {
        const proof = of(entry);
        if (!rec || !current) proof.notRecorded++;
        else if (rec.status === 'passed') proof.passed++;
        else if (rec.status === 'skipped') proof.skipped.push({ id: cell.id, rec });
        else proof.failed++;
      }
    }
  }
  return proofs;
}

/** Whether every cell passed or was skipped there, each recorded from its current code. */
export const proven = (p: EntryProof): boolean => p.failed === 0 && p.notRecorded === 0 && !!p.oldest;

/**
 * The machines an entry's chapters were recorded on, "; " between two:
 *
 *   'Linux 6.18.44-fc-v657 · Debian GNU/Linux 12 (bookworm) · cgroup v1'
 */
export const machines = (p: EntryProof): string =>
  p.environments.map((e) => `Linux ${e.kernel} · ${e.distro} · cgroup ${e.cgroup}`).join('; ');
