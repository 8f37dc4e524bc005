/**
 * The site as published plus the fixture chapter, built once into a temporary copy of the
 * project, so that the fixture is never part of the real dist/. Its node_modules is a
 * hard-linked copy (Vite and Astro reject packages that resolve outside the project root)
 * without the caches that Astro and Vite write into it, which would otherwise be shared.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ROOT } from '../../src/cells/chapters.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/site');
const PROJECT = ['astro.config.mjs', 'tsconfig.json', 'package.json', 'src', 'public'];

export interface BuiltSite {
  root: string;
  dist: string;
  buildMs: number;
}

/** Builds the copy; `extra` chapters (Markdown files) are added to its docs, with their recordings. */
export function buildSite(extra: string[] = []): BuiltSite {
  const root = mkdtempSync(join(tmpdir(), 'labbook-site-'));
  for (const entry of PROJECT) cpSync(join(ROOT, entry), join(root, entry), { recursive: true });
  const modules = spawnSync('cp', ['-al', join(ROOT, 'node_modules'), root], { encoding: 'utf8' });
  if (modules.status !== 0) throw new Error(`cannot link node_modules: ${modules.stderr}`);
  for (const cache of ['.astro', '.vite']) rmSync(join(root, 'node_modules', cache), { recursive: true, force: true });
  const docs = join(root, 'src/content/docs');
  cpSync(join(FIXTURE, 'fixture.md'), join(docs, 'fixture.md'));
  cpSync(join(FIXTURE, 'zh-cn/fixture.md'), join(docs, 'zh-cn/fixture.md'));
  cpSync(join(FIXTURE, 'fixture.recording.json'), join(root, 'src/content/recordings/fixture.json'));
  for (const file of extra) {
    cpSync(file, join(docs, basename(file)));
    const recording = file.replace(/\.md$/, '.recording.json');
    if (existsSync(recording))
      cpSync(recording, join(root, 'src/content/recordings', basename(file).replace(/\.md$/, '.json')));
  }
  const started = Date.now();
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SITE_URL: '', BASE_PATH: '' },
  });
  if (build.status !== 0) throw new Error(`the site build failed:\n${build.stdout}\n${build.stderr}`);
  return { root, dist: join(root, 'dist'), buildMs: Date.now() - started };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `astro preview` of the built copy; resolves with its URL once it answers. */
export async function preview(site: BuiltSite): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: site.root,
    stdio: 'ignore',
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => process.kill(-(child.pid as number));
  for (let i = 0; i < 100; i++) {
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
  throw new Error(`astro preview did not answer on ${url}`);
}
