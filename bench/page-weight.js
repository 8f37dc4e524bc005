// The JavaScript a page loads before any interaction, gzip bytes: a chapter page with
// cells against a Starlight page without them, from a built site (npm run build).
// Counted: the page's inline scripts and module scripts with their static imports.
// Not counted: dynamic imports, which wait for an interaction (the Run client) or idle
// time (Starlight's search UI).
//
//   node bench/page-weight.js [dist] [chapter path] [plain page path]
//   node bench/page-weight.js dist namespace/ ''
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [dist = 'dist', chapter = 'namespace/', plain = ''] = process.argv.slice(2);

const gzip = (text) => gzipSync(text, { level: 9 }).length;
// `import x from "./a.js"` and `import "./a.js"`, not `import("./a.js")`.
const STATIC_IMPORT = /\bimport\s*(?:[\w$*{}\s,]+\s*from\s*)?["']([^"']+\.js)["']/g;

function moduleBytes(file, seen) {
  if (seen.has(file)) return 0;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  let total = gzip(code);
  for (const [, spec] of code.matchAll(STATIC_IMPORT)) {
    total += moduleBytes(spec.startsWith('/') ? join(dist, spec) : join(dirname(file), spec), seen);
  }
  return total;
}

function pageBytes(path) {
  const file = join(dist, path, 'index.html');
  if (!existsSync(file)) throw new Error(`${file} does not exist: build the site first (npm run build)`);
  const html = readFileSync(file, 'utf8');
  const seen = new Set();
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  let inline = 0;
  let modules = 0;
  for (const [, attrs, body] of scripts) {
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (src) modules += moduleBytes(join(dist, src.replace(/^(?:\/[^/]+)*?(\/_astro\/)/, '$1')), seen);
    else if (!/type="application\/(?:ld\+)?json"/.test(attrs)) inline += gzip(body);
  }
  return { inline, modules, total: inline + modules };
}

const withCells = pageBytes(chapter);
const without = pageBytes(plain);
console.log(
  `chapter page /${chapter}: ${withCells.total} B gzip JS (${withCells.modules} modules + ${withCells.inline} inline)`,
);
console.log(
  `page without cells /${plain}: ${without.total} B gzip JS (${without.modules} modules + ${without.inline} inline)`,
);
console.log(
  `added by cells and diagrams: ${withCells.total - without.total} B gzip (ratio ${(withCells.total / without.total).toFixed(3)})`,
);
