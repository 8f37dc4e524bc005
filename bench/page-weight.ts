/**
 * The JavaScript a page loads before any interaction, gzip bytes: a chapter page with
 * cells against a Starlight page without them, from a built site (built first if dist/ is
 * missing). Counted: the page's inline scripts and module scripts with their static
 * imports. Not counted: dynamic imports, which wait for an interaction (the Run client,
 * reported on its own) or idle time (Starlight's search UI).
 * Target: cells and diagrams add at most 2 KB gzip.
 *
 *   node bench/page-weight.ts [dist] [chapter path] [plain page path]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { report } from './figure.ts';

const [dist = 'dist', chapter = 'namespace/', plain = ''] = process.argv.slice(2);

const gzip = (text: string) => gzipSync(text, { level: 9 }).length;
// `import x from "./a.js"` and `import "./a.js"`, not `import("./a.js")`.
const STATIC_IMPORT = /\bimport\s*(?:[\w$*{}\s,]+\s*from\s*)?["']([^"']+\.js)["']/g;

function moduleBytes(file: string, seen: Set<string>): number {
  if (seen.has(file)) return 0;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  let total = gzip(code);
  for (const [, spec] of code.matchAll(STATIC_IMPORT)) {
    total += moduleBytes(spec.startsWith('/') ? join(dist, spec) : join(dirname(file), spec), seen);
  }
  return total;
}

function pageBytes(path: string): { inline: number; modules: number; total: number } {
  const file = join(dist, path, 'index.html');
  if (!existsSync(file)) throw new Error(`${file} does not exist: build the site first (npm run build)`);
  const html = readFileSync(file, 'utf8');
  const seen = new Set<string>();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  let inline = 0;
  let modules = 0;
  for (const [, attrs, body] of scripts) {
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (src) modules += moduleBytes(join(dist, src.replace(/^(?:\/[^/]+)*?(\/_astro\/)/, '$1')), seen);
    else if (!/type="application\/(?:ld\+)?json"/.test(attrs ?? '')) inline += gzip(body ?? '');
  }
  return { inline, modules, total: inline + modules };
}

if (!existsSync(join(dist, 'index.html'))) {
  console.error('building the site first (npm run build) ...');
  if (spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 2, 'inherit'] }).status !== 0) process.exit(1);
}
const withCells = pageBytes(chapter);
const without = pageBytes(plain);
report({
  figure: `JS before interaction, /${chapter}`,
  value: withCells.total,
  anchor: `page without cells /${plain}`,
  anchorValue: without.total,
  unit: 'B gzip',
  target: `difference <= 2048 B (is ${withCells.total - without.total} B)`,
});
const client = readdirSync(join(dist, '_astro')).find((f) => /^client\..*\.js$/.test(f));
if (client) {
  report({
    figure: 'live client, loaded on the first Run only',
    value: gzip(readFileSync(join(dist, '_astro', client), 'utf8')),
    anchor: `page without cells /${plain}`,
    anchorValue: without.total,
    unit: 'B gzip',
    target: 'not loaded before a Run',
  });
}
