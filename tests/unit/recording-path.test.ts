/**
 * Where a chapter's recording on an entry of the matrix is (src/cells/chapters.ts): those of
 * the docs together, one directory per entry; a chapter outside the docs (a test fixture)
 * keeps its own beside it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS, RECORDINGS, ROOT, recordingPath } from '../../src/cells/chapters.ts';
import { MATRIX, matrixEntry } from '../../src/cells/matrix.ts';

const entry = (name: string) => matrixEntry(name) ?? expect.unreachable(`no entry ${name}`);

describe('recordingPath', () => {
  it('puts a docs chapter’s recording in its entry’s directory of src/content/recordings', () => {
    const file = join(DOCS, 'namespace.md');
    expect(MATRIX.map((e) => recordingPath(file, e))).toEqual([
      join(ROOT, 'src/content/recordings/local/namespace.json'),
      join(ROOT, 'src/content/recordings/vm-debian12/namespace.json'),
      join(ROOT, 'src/content/recordings/vm-debian13/namespace.json'),
    ]);
  });

  it('keeps the subdirectory of a docs chapter in its slug, and reads .mdx as .md', () => {
    expect(recordingPath(join(DOCS, 'deep/dive.mdx'), entry('vm:debian12'))).toBe(
      join(RECORDINGS, 'vm-debian12', 'deep/dive.json'),
    );
  });

  it('finds a docs chapter given by a relative path', () => {
    const relative = join('src/content/docs', 'cgroup.md');
    const cwd = process.cwd();
    try {
      process.chdir(ROOT);
      expect(recordingPath(relative, entry('local'))).toBe(join(RECORDINGS, 'local', 'cgroup.json'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('keeps a chapter outside the docs beside it: NAME.recording.json for the first entry, NAME.<entry>.recording.json for the others', () => {
    const fixture = '/tmp/fixtures/structure.md';
    expect(MATRIX.map((e) => recordingPath(fixture, e))).toEqual([
      '/tmp/fixtures/structure.recording.json',
      '/tmp/fixtures/structure.vm-debian12.recording.json',
      '/tmp/fixtures/structure.vm-debian13.recording.json',
    ]);
    expect(recordingPath('/tmp/x/lab.mdx', entry('vm:debian13'))).toBe('/tmp/x/lab.vm-debian13.recording.json');
  });

  it('finds the committed recording of the fixture the comparer’s tests read', () => {
    const fixture = new URL('../fixtures/structure.md', import.meta.url).pathname;
    expect(recordingPath(fixture, entry('local'))).toBe(join(ROOT, 'tests/fixtures/structure.recording.json'));
  });
});
