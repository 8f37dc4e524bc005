/**
 * The site as published plus the fixture chapter, built once into a temporary copy of the
 * project (under .cache/), so that the fixture is never part of the real dist/. Its node_modules is a
 * hard-linked copy (Vite and Astro reject packages that resolve outside the project root)
 * without the caches that Astro and Vite write into it, which would otherwise be shared.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, relative } from 'node:path';
import { RECORDINGS, ROOT, recordingPath } from '../../src/cells/chapters.ts';
import { MATRIX, recordingDir } from '../../src/cells/matrix.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/site');
/** Copies live beside node_modules, on its file system: hard links cannot cross to a tmpfs /tmp. */
const COPIES = join(ROOT, '.cache');
const PROJECT = ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'public'];

export interface BuiltSite {
  root: string;
  dist: string;
  buildMs: number;
}

/**
 * A chapter outside the docs added to the docs of the copy at `root`: its translation beside
 * it (zh-cn/NAME.md) if it has one, and its recording on each entry of the matrix that it has
 * (NAME.recording.json, NAME.vm-debian12.recording.json...: recordingPath).
 */
export function addChapter(root: string, file: string): void {
  const docs = join(root, 'src/content/docs');
  const name = basename(file);
  cpSync(file, join(docs, name));
  const translation = join(dirname(file), 'zh-cn', name);
  if (existsSync(translation)) cpSync(translation, join(docs, 'zh-cn', name));
  for (const entry of MATRIX) {
    const recording = recordingPath(file, entry);
    if (!existsSync(recording)) continue;
    const dir = join(root, relative(ROOT, RECORDINGS), recordingDir(entry));
    mkdirSync(dir, { recursive: true });
    cpSync(recording, join(dir, name.replace(/\.md$/, '.json')));
  }
}

/**
 * A temporary copy of the project with the fixture chapter (unless `fixture` is false);
 * `extra` chapters (Markdown files) are added to its docs, with their recordings.
 */
export function copyProject(extra: string[] = [], { fixture = true } = {}): string {
  mkdirSync(COPIES, { recursive: true });
  const root = mkdtempSync(join(COPIES, 'site-'));
  for (const entry of PROJECT) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  const modules = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), root], { encoding: 'utf8' });
  if (modules.status !== 0) throw new Error(`cannot link node_modules: ${modules.stderr}`);
  for (const cache of ['.astro', '.vite']) rmSync(join(root, 'node_modules', cache), { recursive: true, force: true });
  for (const file of [...(fixture ? [join(FIXTURE, 'fixture.md')] : []), ...extra]) addChapter(root, file);
  return root;
}

/** `npm run build` in a copy: its exit status and everything it printed. */
export function runBuild(root: string, env: Record<string, string> = {}): { status: number | null; output: string } {
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SITE_URL: '', BASE_PATH: '', ...env },
  });
  return { status: build.status, output: `${build.stdout}\n${build.stderr}` };
}

/** Builds the copy; `extra` chapters (Markdown files) are added to its docs, with their recordings. */
export function buildSite(extra: string[] = []): BuiltSite {
  const root = copyProject(extra);
  const started = Date.now();
  // The fixture holds a stale and an unrecorded cell on purpose: mark them, as astro dev does.
  const build = runBuild(root, { LABBOOK_MARK_STALE: '1' });
  if (build.status !== 0) throw new Error(`the site build failed:\n${build.output}`);
  return { root, dist: join(root, 'dist'), buildMs: Date.now() - started };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `astro preview` of the built copy; resolves with its URL once it answers. */
export function preview(site: BuiltSite): Promise<{ url: string; stop: () => void }> {
  return astro(site.root, 'preview');
}

/** This process's environment without what vitest adds (NODE_ENV=test, VITEST*), which Astro and Vite read. */
function astroEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_ENV' && !k.startsWith('VITEST')));
}

/** `astro preview` or `astro dev` in a copy, in a process group of its own; resolves once it answers. */
export async function astro(root: string, command: 'preview' | 'dev'): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const log = join(root, `astro-${command}.log`);
  const out = openSync(log, 'w');
  const child = spawn('npx', ['astro', command, '--host', '127.0.0.1', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', out, out],
    detached: true,
    env: astroEnv(),
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => process.kill(-(child.pid as number));
  // astro dev answers its first request only after bundling its dependencies: up to a minute here.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error(`astro ${command} did not answer on ${url}:\n${readFileSync(log, 'utf8')}`);
}
