/**
 * labbook: run, record and check the chapters' cells, and tell what this host can run.
 *
 *   labbook run <chapter> [--cell ID]   run a chapter in a lab, printing each cell's output
 *   labbook record [chapter...]         re-record chapters (all by default)
 *   labbook record CH --only-skipped --target vm   record there the cells this host skips
 *   labbook check [chapter...]          run and compare with the recordings
 *   labbook setup [--tests]             install what this machine lacks (apt-get or dnf)
 *   labbook doctor                      what this host can run, and which cells it skips
 *   labbook serve                       the runner for the pages' Run buttons
 *   labbook vm up|down|status|target    a Debian VM to run the cells in
 * Every command takes --target (local, ssh://user@host[:port], vm, or a command).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs, styleText } from 'node:util';
import { type Capability, skipReason } from '../src/cells/capabilities.ts';
import { listChapters, recordingPath, resolveChapter } from '../src/cells/chapters.ts';
import { compareRun } from '../src/cells/compare.ts';
import { fillFromElsewhere, keepRecordedElsewhere, recordableElsewhere } from '../src/cells/elsewhere.ts';
import { ChapterErrors } from '../src/cells/errors.ts';
import { CELL_COMMANDS, installLines } from '../src/cells/packages.ts';
import { type Cell, type Chapter, loadChapter } from '../src/cells/parse.ts';
import { type CellRecording, type Recording, readRecording, serializeRecording } from '../src/cells/recording.ts';
import { runChapter } from './chapter-run.ts';
import { Lab, LabError, sweepStaleLabs } from './lab.ts';
import { ALL_CAPABILITIES, probeCapabilities, probeEnvironment } from './probe.ts';
import { loadCatalog } from './server/catalog.ts';
import { newToken, parseOrigin } from './server/security.ts';
import { serve } from './server/server.ts';
import { baselineProblem, ensureTools, reinstallUnderProjectNode } from './setup.ts';
import { currentTarget, LOCAL, TargetError, useTarget } from './target.ts';
import { parseTarget } from './target-remote.ts';
import { vmCommand } from './vm/vm.ts';

const USAGE = `usage: labbook <command> [options]

  run <chapter> [--cell ID]   run a chapter in a fresh lab, printing each cell as it runs
                              (--cell: run the cells up to and including ID)
  record [chapter...]         run chapters and write their recordings (all chapters by default)
    --only-skipped            run them on --target, but put in their recordings only the cells
                              those recordings have as skipped (or as recorded elsewhere), each
                              stamped with where it ran; nothing else of them changes
    --from ID                 with --only-skipped: start at cell ID, when the cells before it
                              are not needed and cannot run on that target
  check [chapter...]          run chapters and compare with their recordings
  setup [--tests] [--dry-run] install what this machine lacks, with apt-get or dnf: labbook's
                              baseline and the commands of the chapters' cells
                              (--tests: also Chromium, Chinese fonts and sshd for the test suite;
                              --dry-run: print what it would install)
  doctor                      what this host can run, and which cells it will skip
  serve [chapter...] [--port P] [--allow-origin URL]... [--allow-edit] [--with-site]
                              the runner for the pages' Run buttons, on 127.0.0.1,
                              serving the cells of the chapters (all by default)
                              (--with-site: also start the site on http://127.0.0.1:4321/)
  vm up|down|status|target    a Debian 12 VM under QEMU for the cells (built on first up)

A chapter is a slug of src/content/docs (namespace) or a path to a Markdown file.
Options: --jobs N (chapters run at once, default 2), --help
  --target T          where the labs run: local (default), ssh://user@host[:port], vm (the
                      VM of "labbook vm"), or a command that runs a shell command line there,
                      given as its last argument ('limactl shell default', 'sh -c')
  --identity FILE     ssh: the private key to log in with
  --known-hosts FILE  ssh: the known_hosts to check the host key against (default: yours)
  --timeout-scale N   multiply every cell's timeout by N on a slow target (default 1; the VM
                      without KVM runs about 10 times slower: --timeout-scale 10)`;

/** Exit codes: 0 ok, 1 a cell failed or differs, 2 bad input (usage, authoring error). */
export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    console.error(`labbook: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...names] = args.positionals;
  if (args.values.help || !command) {
    console.log(USAGE);
    return command || args.values.help ? 0 : 2;
  }
  if (command === 'setup') {
    if (names.length) {
      console.error(`labbook: setup takes no chapters\n\n${USAGE}`);
      return 2;
    }
    if (!args.values['dry-run'] && (await reinstallUnderProjectNode()) !== 0) return 1;
    return ensureTools({
      groups: args.values.tests ? ['baseline', 'cells', 'tests'] : ['baseline', 'cells'],
      dryRun: args.values['dry-run'],
    });
  }
  if (args.values.tests || args.values['dry-run']) {
    console.error(`labbook: --tests and --dry-run are for setup\n\n${USAGE}`);
    return 2;
  }
  if (command === 'vm') {
    try {
      return await vmCommand(names[0]);
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      console.error(e.message);
      return 2;
    }
  }
  try {
    const jobs = Number(args.values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs takes a whole number from 1');
    const scale = Number(args.values['timeout-scale']);
    if (!(scale > 0)) throw new UsageError('--timeout-scale takes a number above 0');
    if (args.values['only-skipped'] && command !== 'record') throw new UsageError('--only-skipped is for record');
    // A recording of part of a chapter would lose the rest: only cells put in one by one may start later.
    if (args.values.from && !args.values['only-skipped']) throw new UsageError('--from goes with --only-skipped');
    useTarget(
      parseTarget(args.values.target, { identity: args.values.identity, knownHosts: args.values['known-hosts'] }),
    );
    // A remote target checks its own baseline when it connects.
    const lacking = currentTarget() === LOCAL ? baselineProblem() : undefined;
    if (lacking) {
      console.error(`labbook: ${lacking}`);
      return 2;
    }
    switch (command) {
      case 'run':
        if (names.length !== 1) throw new UsageError('run takes one chapter');
        return await runOne(names[0] as string, args.values.cell, scale);
      case 'record':
        return await recordOrCheck(
          names,
          args.values['only-skipped'] ? 'fill' : 'record',
          jobs,
          scale,
          args.values.from,
        );
      case 'check':
        return await recordOrCheck(names, 'check', jobs, scale);
      case 'doctor':
        return await doctor();
      case 'serve':
        return await serveCommand(names, args.values);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) console.error(`labbook: ${e.message}\n\n${USAGE}`);
    else if (e instanceof ChapterErrors || e instanceof LabError || e instanceof TargetError) console.error(e.message);
    else if (e instanceof Error && /^no chapter/.test(e.message)) console.error(`labbook: ${e.message}`);
    else throw e;
    return 2;
  } finally {
    await currentTarget().close();
  }
}

class UsageError extends Error {}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cell: { type: 'string' },
      port: { type: 'string', default: '4322' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'allow-edit': { type: 'boolean', default: false },
      'with-site': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
      'only-skipped': { type: 'boolean', default: false },
      from: { type: 'string' },
      'timeout-scale': { type: 'string', default: '1' },
      target: { type: 'string' },
      identity: { type: 'string' },
      'known-hosts': { type: 'string' },
      tests: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

const STATUS_STYLE = {
  passed: 'green',
  failed: 'red',
  'timed-out': 'red',
  error: 'red',
  skipped: 'yellow',
} as const;

function statusLine(r: CellRecording): string {
  const exit = r.exitCode === null ? '' : `, exit ${r.exitCode}`;
  const why = r.reason ? `: ${r.reason}` : '';
  return styleText(STATUS_STYLE[r.status], `${r.status}${why}`) + styleText('dim', ` (${r.durationMs} ms${exit})`);
}

async function runOne(name: string, until: string | undefined, timeoutScale: number): Promise<number> {
  const { slug, file } = resolveChapter(name);
  const chapter = loadChapter(file);
  let failed = 0;
  await runChapter(chapter, slug, {
    until,
    timeoutScale,
    onCellStart(cell) {
      console.log(
        styleText('bold', `\n── ${cell.id}`) + styleText('dim', ` [${cell.session}]${cell.hidden ? ' (hidden)' : ''}`),
      );
      console.log(styleText('dim', cell.code.replace(/^/gm, '$ ')));
    },
    onOutput: (_cell, text) => process.stdout.write(text),
    onCellEnd(_cell, r) {
      if (r.status !== 'passed' && r.status !== 'skipped') failed++;
      console.log(`${r.output && !r.output.endsWith('\n') ? '\n' : ''}→ ${statusLine(r)}`);
    },
  });
  return failed ? 1 : 0;
}

function chaptersFrom(names: string[]): { slug: string; file: string }[] {
  const all = names.length ? names.map(resolveChapter) : listChapters();
  if (!all.length) throw new UsageError('there are no chapters in src/content/docs yet');
  return all;
}

/**
 * record: run and write each chapter's recording; check: run and compare with it; fill
 * (record --only-skipped): run on this target and put in only the cells the recording skipped.
 */
async function recordOrCheck(
  names: string[],
  mode: 'record' | 'check' | 'fill',
  jobs: number,
  timeoutScale: number,
  from?: string,
): Promise<number> {
  const targets = chaptersFrom(names);
  // Parse everything first: an authoring mistake fails before any lab is made.
  // Pages without cells (the landing page) have nothing to record.
  const chapters = targets
    .map((t) => ({ ...t, chapter: loadChapter(t.file), path: recordingPath(t.file) }))
    .filter((c) => names.length || c.chapter.cells.length);
  const width = Math.max(...chapters.map((c) => c.slug.length));
  let bad = 0;
  const started = performance.now();
  await pool(chapters, jobs, async ({ slug, chapter, path }) => {
    const previous = readRecording(path);
    let until: string | undefined;
    if (mode === 'fill') {
      if (!previous) {
        console.log(styleText('red', `${slug}: no recording yet: record it on the chapter's own target first`));
        bad++;
        return;
      }
      const wanted = recordableElsewhere(chapter.cells, previous);
      if (!wanted.length) {
        console.log(`${slug}: no skipped cell to record on ${currentTarget().name}`);
        return;
      }
      // The cells before the last wanted one make its state; those after it are not needed.
      until = wanted.at(-1)?.id;
    }
    const t0 = performance.now();
    let done = 0;
    const first = from ? chapter.cells.findIndex((c) => c.id === from) : 0;
    const total = (until ? chapter.cells.findIndex((c) => c.id === until) + 1 : chapter.cells.length) - first;
    const recording = await runChapter(chapter, slug, {
      until,
      from,
      timeoutScale,
      onCellEnd(cell, r) {
        done++;
        console.log(`${slug.padEnd(width)} ${bar(done, total)} ${cell.id} ${statusLine(r)}`);
      },
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    if (mode === 'fill' && previous) {
      if (fill(slug, chapter, path, previous, recording, seconds)) bad++;
      return;
    }
    const kept = keepRecordedElsewhere(recording, previous);
    const problems = compareRun(chapter.cells, recording, mode === 'record' ? kept : previous);
    if (mode === 'record') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, serializeRecording(kept));
    }
    const summary =
      mode === 'record'
        ? `recorded to ${path}`
        : problems.length
          ? 'differs from its recording'
          : 'matches its recording';
    console.log(styleText(problems.length ? 'red' : 'green', `${slug}: ${summary} in ${seconds} s`));
    for (const r of kept.cells) {
      if (mode === 'record' && r.environment) {
        console.log(`  ${r.id}: skipped here, kept as recorded on ${r.environment.target} (${r.status})`);
      }
    }
    for (const p of problems) {
      console.log(`  ${p.message}`);
      if (p.diff) console.log(p.diff.replace(/^/gm, '    '));
    }
    if (problems.length) bad++;
  });
  const total = ((performance.now() - started) / 1000).toFixed(1);
  const verb = mode === 'check' ? 'match' : 'recorded cleanly';
  console.log(`${chapters.length - bad} of ${chapters.length} chapters ${verb} in ${total} s`);
  return bad ? 1 : 0;
}

/** Writes the cells recorded here into the chapter's recording; true if any did not pass. */
function fill(slug: string, chapter: Chapter, path: string, previous: Recording, run: Recording, seconds: string) {
  const { recording, filled, left } = fillFromElsewhere(chapter.cells, previous, run);
  if (filled.length) writeFileSync(path, serializeRecording(recording));
  const failed = filled.filter((c) => c.status !== 'passed');
  const ok = !failed.length && !left.length;
  const where = `${run.environment.target} (${run.environment.distro}, Linux ${run.environment.kernel})`;
  console.log(
    styleText(
      ok ? 'green' : 'red',
      `${slug}: ${filled.length} cells recorded on ${where} into ${path} in ${seconds} s`,
    ),
  );
  for (const c of filled) console.log(`  ${c.id}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`);
  for (const l of left) console.log(`  ${l.id}: not recorded there: ${l.why}`);
  return !ok;
}

function bar(done: number, total: number): string {
  const width = 12;
  const full = Math.round((done / total) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(done).padStart(String(total).length)}/${total}`;
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await work(item);
    }),
  );
}

async function doctor(): Promise<number> {
  const lab = await Lab.create();
  let found: Awaited<ReturnType<typeof probeCapabilities>>;
  const chapters: Chapter[] = listChapters().map((c) => loadChapter(c.file));
  try {
    const env = await probeEnvironment(lab.host, lab.target.name);
    console.log(`target: ${env.target}, ${env.distro}, kernel ${env.kernel} (${env.arch}), cgroup ${env.cgroup}`);
    console.log(`iproute2 ${env.iproute2}, util-linux ${env.utilLinux}\n`);
    const commands = CELL_COMMANDS.map((c) => `cmd:${c}` as Capability);
    const required = chapters.flatMap((ch) => ch.cells.flatMap((c) => c.requires));
    found = await probeCapabilities(lab.host, [...ALL_CAPABILITIES, ...commands, ...required]);
  } finally {
    await lab.close();
  }
  const lacking: string[] = [];
  for (const [cap, ok] of found) {
    if (!ok && cap.startsWith('cmd:')) lacking.push(cap.slice(4));
    console.log(
      `${ok ? styleText('green', 'yes') : styleText('yellow', 'no ')}  ${cap}${ok ? '' : `: ${skipReason(cap)}`}`,
    );
  }
  if (lacking.length) {
    const { debian, fedora } = installLines(lacking);
    console.log(
      `\nTo install the missing commands${lab.target === LOCAL ? ' (labbook setup does it here)' : ' there'}:`,
    );
    console.log(`  Debian/Ubuntu: ${debian}`);
    console.log(`  Fedora:        ${fedora}`);
  }
  const skipped: [Chapter, Cell, string][] = [];
  for (const ch of chapters) {
    for (const cell of ch.cells) {
      const missing = cell.requires.find((r) => !found.get(r));
      if (missing) skipped.push([ch, cell, skipReason(missing)]);
    }
  }
  console.log(
    skipped.length
      ? `\n${skipped.length} cells will be skipped on this target:`
      : '\nNo cell will be skipped on this target.',
  );
  for (const [ch, cell, why] of skipped)
    console.log(`  ${ch.file.replace(/.*src\/content\/docs\//, '')}:${cell.line} ${cell.id}: ${why}`);
  return 0;
}

const SITE = 'http://127.0.0.1:4321';

async function serveCommand(names: string[], values: ReturnType<typeof parse>['values']): Promise<number> {
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number');
  const extra = (values['allow-origin'] ?? []).map((o) => {
    try {
      return parseOrigin(o);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  const origins = new Set([SITE, 'http://localhost:4321', ...extra]);
  if (process.getuid?.() !== 0) {
    console.error(
      styleText('yellow', 'labbook serve: not root, so Run will fail: labs need root (start it with sudo).'),
    );
  }
  // What a runner killed earlier left behind goes first.
  await sweepStaleLabs();
  const site = values['with-site'] ? await startSite() : undefined;
  const token = newToken();
  const server = await serve({
    port,
    token,
    origins,
    allowEdit: !!values['allow-edit'],
    catalog: loadCatalog(names.length ? names.map(resolveChapter) : undefined),
  });
  const fragment = `#runner=127.0.0.1:${server.port}&token=${token}`;
  console.log(`Open ${SITE}/${fragment}`);
  for (const o of extra) console.log(`  or ${o}/${fragment}`);
  if (values['allow-edit']) console.log(styleText('yellow', 'Edited cells may run (--allow-edit).'));
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
    site?.once('exit', () => resolve());
  });
  console.log('labbook serve: closing every lab');
  site?.kill('SIGTERM');
  await server.close();
  return 0;
}

/**
 * The site's dev server, beside the runner. setpriv's parent-death signal ends it with the
 * runner even if the runner is killed outright.
 */
async function startSite(): Promise<ChildProcess> {
  const astroBin = join(dirname(createRequire(import.meta.url).resolve('astro/package.json')), 'bin/astro.mjs');
  const args = [
    '--pdeathsig',
    'TERM',
    '--',
    process.execPath,
    astroBin,
    'dev',
    '--host',
    '127.0.0.1',
    '--port',
    '4321',
  ];
  const astro = spawn('setpriv', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    astro.once('exit', (code) => reject(new Error(`the site did not start (astro exited with ${code})`)));
    astro.stdout?.on('data', (chunk: Buffer) => {
      if (/127\.0\.0\.1:4321/.test(chunk.toString())) resolve();
    });
  });
  astro.stdout?.resume();
  return astro;
}
