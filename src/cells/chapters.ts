/**
 * Where chapters and their recordings live. English chapters are the source of the cells
 * (src/content/docs/<slug>.md); Chinese ones (docs/zh-cn/<slug>.md) must hold the same
 * cells; one recording per chapter and matrix entry (src/content/recordings/<entry>/<slug>.json)
 * serves both.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoSuchChapter } from './errors.ts';
import { MATRIX, type MatrixEntry, recordingDir } from './matrix.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DOCS = join(ROOT, 'src/content/docs');
export const RECORDINGS = join(ROOT, 'src/content/recordings');
export const LOCALES = ['zh-cn'] as const;

const isChapterFile = (f: string) => /\.mdx?$/.test(f);

/** English chapters, by slug, in file-name order. */
export function listChapters(): { slug: string; file: string }[] {
  if (!existsSync(DOCS)) return [];
  return readdirSync(DOCS, { recursive: true, encoding: 'utf8' })
    .filter((f) => isChapterFile(f) && !LOCALES.some((l) => f.startsWith(`${l}/`)))
    .sort()
    .map((f) => ({ slug: f.replace(/\.mdx?$/, ''), file: join(DOCS, f) }));
}

/** A chapter given on the command line: a slug of the docs, or a path to any Markdown file. */
export function resolveChapter(arg: string): { slug: string; file: string } {
  const byPath = resolve(arg);
  if (existsSync(byPath) && isChapterFile(byPath)) return { slug: slugOf(byPath), file: byPath };
  const found = listChapters().find((c) => c.slug === arg);
  if (found) return found;
  const known = listChapters()
    .map((c) => c.slug)
    .join(', ');
  throw new NoSuchChapter(`no chapter "${arg}": give a Markdown file or one of: ${known || '(none yet)'}`);
}

export function slugOf(file: string): string {
  const rel = relative(DOCS, resolve(file));
  if (!rel.startsWith('..')) return rel.replace(/\.mdx?$/, '');
  return basename(file).replace(/\.mdx?$/, '');
}

/**
 * Where a chapter's recording on a matrix entry is: those of the docs together, by entry; a
 * chapter elsewhere (a test fixture) keeps its own beside it (NAME.recording.json for the
 * first entry, NAME.<entry>.recording.json for the others).
 */
export function recordingPath(file: string, entry: MatrixEntry): string {
  const rel = relative(DOCS, resolve(file));
  if (!rel.startsWith('..')) return join(RECORDINGS, recordingDir(entry), `${slugOf(file)}.json`);
  const suffix = entry === MATRIX[0] ? '' : `.${recordingDir(entry)}`;
  return resolve(file).replace(/\.mdx?$/, `${suffix}.recording.json`);
}

/** The translations of an English chapter that exist. */
export function translationsOf(slug: string): { locale: string; file: string }[] {
  return LOCALES.flatMap((locale) =>
    ['.md', '.mdx']
      .map((ext) => ({ locale, file: join(DOCS, locale, `${slug}${ext}`) }))
      .filter((t) => existsSync(t.file)),
  );
}
