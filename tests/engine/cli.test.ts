/**
 * labbook's commands as a user meets them: record, then check a chapter that still matches,
 * one whose code changed, and one whose output no longer matches.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const labbook = new URL('../../runner/bin/labbook.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'labbook-cli-'));
const chapter = join(dir, 'basic.md');
const recording = join(dir, 'basic.recording.json');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** labbook's environment: as from a shell, not from npm (whose user agent would make setup reinstall). */
const env = { ...process.env, NO_COLOR: '1', npm_config_user_agent: '' };

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [labbook, ...args], { env });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

describe('labbook setup', () => {
  it('does nothing when everything is there', async () => {
    expect(await cli('setup', '--tests')).toEqual({
      code: 0,
      out: expect.stringMatching(/^labbook setup: everything is there \(\d+ tools of: baseline, cells, tests\)\n$/),
    });
  });

  it('names what is missing and why, and the line to run, when it is not root', async () => {
    // busybox hidden in a mount namespace of its own, and labbook told it is not root (the
    // project may be unreadable to any other user, as under /root).
    const hide = `mount --bind /dev/null "$(readlink -f "$(command -v busybox)")" && exec "$@"`;
    const notRoot = 'data:text/javascript,process.getuid = () => 65534;';
    const r = await promisify(execFile)(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        hide,
        'hide',
        process.execPath,
        '--import',
        notRoot,
        labbook,
        'setup',
      ],
      { env },
    ).then(
      (x) => ({ code: 0, out: x.stdout }),
      (x: { code: number; stdout: string }) => ({ code: x.code, out: x.stdout }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /lacks 1 of \d+ tools:\n {2}busybox-static +busybox +for the chapters' cells \(.*namespace.*\)/,
    );
    expect(r.out).toMatch(
      /needs root to install them\. Run:\n {2}sudo npx labbook setup\n.*apt-get .* install .*busybox-static/,
    );
  });
});

describe("a machine without labbook's baseline", () => {
  it('gets a sentence naming the package, not a stack trace', async () => {
    const hide = `mount --bind /dev/null "$(readlink -f "$(command -v ip)")" && exec "$@"`;
    const r = await promisify(execFile)(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', hide, 'hide', process.execPath, labbook, 'doctor'],
      { env },
    ).then(
      () => ({ code: 0, out: '' }),
      (x: { code: number; stdout: string; stderr: string }) => ({ code: x.code, out: x.stdout + x.stderr }),
    );
    expect(r).toEqual({
      code: 2,
      out: 'labbook: this machine lacks ip (the packages iproute2), which labbook needs: run npx labbook setup as root\n',
    });
  });
});

describe('labbook record and check', () => {
  it('records, then a check of the same chapter matches', async () => {
    copyFileSync(new URL('../fixtures/basic.md', import.meta.url), chapter);
    const rec = await cli('record', chapter);
    expect(rec.out).toMatch(/basic \[#\.+\] +1\/12 prepare passed \(\d+ ms, exit 0\)/);
    expect(rec.code).toBe(0);
    expect(JSON.parse(readFileSync(recording, 'utf8')).cells).toHaveLength(12);
    expect(await cli('check', chapter)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/basic: matches its recording/),
    });
  });

  it('fails on a recorded output that differs, with a diff', async () => {
    const r = JSON.parse(readFileSync(recording, 'utf8'));
    // Another output, and its timing with it (a recording's timing covers its output).
    Object.assign(
      r.cells.find((c: { id: string }) => c.id === 'functions-persist'),
      { output: 'LOUD\r\n', timing: '0:6' },
    );
    writeFileSync(recording, JSON.stringify(r));
    const check = await cli('check', chapter);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/functions-persist: the output differs from the recording[\s\S]*-LOUD[\s\S]*\+QUIET/);
  });

  it('fails on a cell whose code changed since it was recorded', async () => {
    writeFileSync(chapter, readFileSync(chapter, 'utf8').replace('shout quiet', 'shout calm'));
    const check = await cli('check', chapter);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(
      /the recording of the cell "functions-persist" is stale: its code changed since it was recorded/,
    );
  });

  it('run fails a data cell that exits 0 but whose snapshot breaks its expect=, as check does', async () => {
    writeFileSync(
      chapter,
      '```sh run id=pids data=processes title="The processes of the lab" check claim="PID 1 is init" expect="pid1 init"\nlab_proc_json\n```\n',
    );
    const run = await cli('run', chapter);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/→ passed \(.*exit 0\)\n {2}but pids: "pid1 init" does not hold/);
  });

  it('fails on an authoring mistake before making a lab, with file, line and fix', async () => {
    writeFileSync(chapter, '```sh run id=a colour=red\ntrue\n```\n');
    expect(await cli('check', chapter)).toEqual({
      code: 2,
      out: expect.stringMatching(/basic\.md:1: unknown attribute "colour"\n {2}Fix: use one of/),
    });
  });

  it('refuses an option of another command, saying whose it is', async () => {
    expect(await cli('check', '--tests')).toMatchObject({
      code: 2,
      out: expect.stringMatching(/labbook check: --tests is not an option of check: it is one of setup/),
    });
  });

  it.each([
    [['check', '--port', '1'], /labbook check: --port is not an option of check: it is one of serve/],
    [['run', 'basic', '--jobs', '2'], /labbook run: --jobs is not an option of run: it is one of record, check/],
    [
      ['record', '--target', 'ssh://root@192.0.2.1'],
      /labbook record: record writes the matrix's recordings: --target ssh:\/\/root@192\.0\.2\.1 is not one of local, vm:debian12, vm:debian13, vm or matrix/,
    ],
    [['setup', 'namespace'], /labbook setup: unexpected "namespace": setup takes no chapter/],
    [['run'], /labbook run: run takes one chapter, not 0/],
    [['check', '--jobs', '0'], /labbook check: --jobs takes a whole number from 1/],
    [['serve', '--max-sessions', 'many'], /labbook serve: --max-sessions takes a whole number from 1/],
    [['check', '--colour'], /labbook check: Unknown option '--colour'/],
  ])('refuses %j before doing anything, with the usage', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
    expect(r.out).toMatch(/usage: labbook/);
  });

  it('names a chapter it does not know, with those it does', async () => {
    expect(await cli('check', 'nosuch')).toEqual({
      code: 2,
      out: expect.stringMatching(/^labbook: no chapter "nosuch": give a Markdown file or one of: .*namespace/),
    });
  });

  it('answers a wrong command with the usage', async () => {
    expect(await cli('rnu')).toMatchObject({
      code: 2,
      out: expect.stringMatching(/unknown command "rnu"[\s\S]*usage: labbook/),
    });
  });
});

describe('labbook check --accept', () => {
  const repo = mkdtempSync(join(tmpdir(), 'labbook-accept-'));
  const chapterFile = join(repo, 'basic.md');
  const recordingFile = join(repo, 'basic.recording.json');
  afterAll(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => promisify(execFile)('git', ['-C', repo, ...args], { env });

  /** The lines (1-based, inclusive) of the cell's object in a recording as labbook writes it. */
  function linesOf(text: string, id: string): [number, number] {
    const lines = text.split('\n');
    const start = lines.findIndex((l) => l.includes(`"id": "${id}"`));
    const next = lines.findIndex((l, i) => i > start && l.includes('"id": '));
    return [start, next === -1 ? lines.length : next];
  }
  /** The old-file line ranges of `git diff -U0`'s hunks. */
  async function changedLines(): Promise<[number, number][]> {
    const { stdout } = await git('diff', '-U0', '--no-color', '--', 'basic.recording.json');
    return [...stdout.matchAll(/^@@ -(\d+)(?:,(\d+))? /gm)].map((m) => {
      const from = Number(m[1]);
      return [from, from + Math.max(Number(m[2] ?? 1), 1) - 1];
    });
  }

  it('writes only the cell named into the recording, and leaves the run that differs beside it, git-ignored', async () => {
    copyFileSync(new URL('../fixtures/basic.md', import.meta.url), chapterFile);
    copyFileSync(new URL('../../.gitignore', import.meta.url), join(repo, '.gitignore'));
    expect((await cli('record', chapterFile)).code).toBe(0);
    // An older recording: two cells printed otherwise.
    const r = JSON.parse(readFileSync(recordingFile, 'utf8'));
    Object.assign(
      r.cells.find((c: { id: string }) => c.id === 'functions-persist'),
      { output: 'LOUD\r\n', timing: '0:6' },
    );
    Object.assign(
      r.cells.find((c: { id: string }) => c.id === 'state-persists'),
      { output: 'bye\r\n', timing: '0:5' },
    );
    writeFileSync(recordingFile, `${JSON.stringify(r, null, 2)}\n`);
    await git('init', '-q');
    await git('add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'old');
    const before = readFileSync(recordingFile, 'utf8');

    const accept = await cli('check', '--accept', 'functions-persist', chapterFile);
    expect(accept.out).toMatch(/accepted into .*basic\.recording\.json: functions-persist\n/);
    expect(accept.code).toBe(1); // state-persists still differs
    const [from, to] = linesOf(before, 'functions-persist');
    const hunks = await changedLines();
    expect(hunks.length).toBeGreaterThan(0);
    for (const [a, b] of hunks) expect(a > from && b <= to).toBe(true);
    const after = JSON.parse(readFileSync(recordingFile, 'utf8'));
    expect(after.cells.find((c: { id: string }) => c.id === 'functions-persist').output).toBe('QUIET\r\n');
    expect(after.cells.find((c: { id: string }) => c.id === 'state-persists').output).toBe('bye\r\n');
    // The fresh run, for a diff tool; git does not see it.
    const fresh = join(repo, 'basic.recording.fresh.json');
    expect(JSON.parse(readFileSync(fresh, 'utf8')).cells).toHaveLength(12);
    expect((await git('status', '--porcelain')).stdout).toBe(' M basic.recording.json\n');
  });

  it('with no cell named, writes the cells that changed, and then the chapter matches', async () => {
    const accept = await cli('check', '--accept', chapterFile);
    expect(accept).toMatchObject({ code: 0, out: expect.stringMatching(/accepted into .*: state-persists\n/) });
    const before = (await git('show', 'HEAD:basic.recording.json')).stdout;
    const cellsAt = [linesOf(before, 'functions-persist'), linesOf(before, 'state-persists')];
    for (const [a, b] of await changedLines()) {
      expect(cellsAt.some(([from, to]) => a > from && b <= to)).toBe(true);
    }
    expect(existsSync(join(repo, 'basic.recording.fresh.json'))).toBe(false);
    expect(await cli('check', chapterFile)).toMatchObject({ code: 0 });
  });

  it('refuses a name that is neither a chapter nor a cell of the chapters named', async () => {
    expect(await cli('check', '--accept', 'no-such-cell', chapterFile)).toMatchObject({
      code: 2,
      out: expect.stringMatching(
        /^labbook check: --accept no-such-cell: no chapter is called so, and none of the chapters named has a cell of that id\n/,
      ),
    });
  });
});
