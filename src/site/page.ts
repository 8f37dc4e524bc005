/**
 * Which chapter a Markdown file is. A translation lives in a locale folder
 * (docs/zh-cn/namespace.md) and shares the English chapter's slug, cell ids and recordings,
 * one per entry of the matrix (src/cells/matrix.ts):
 *
 *   src/content/docs/zh-cn/namespace.md -> { locale: 'zh-cn', lang: 'zh-CN', slug: 'namespace',
 *     recordings: [{ entry: local, file: src/content/recordings/local/namespace.json },
 *                  { entry: vm:debian12, file: src/content/recordings/vm-debian12/namespace.json }, ...] }
 */
import { sep } from 'node:path';
import { LOCALES, recordingPath, slugOf } from '../cells/chapters.ts';
import { MATRIX, type MatrixEntry } from '../cells/matrix.ts';
import { type Lang, STRINGS } from './strings.ts';

type Locale = 'en' | (typeof LOCALES)[number];

/** Where a chapter's recording on one entry of the matrix is (the file may not exist yet). */
export interface EntryFile {
  entry: MatrixEntry;
  file: string;
}

export interface Page {
  /** The folder of the page's language ('en' for the English pages at the root of the docs). */
  locale: Locale;
  /** Its language tag, which names its words in strings.ts: a locale folder is its tag in lower case. */
  lang: Lang;
  slug: string;
  /** Its recording on each entry of the matrix, in the matrix's order. */
  recordings: EntryFile[];
  /** The English chapter: the page itself, or the chapter it translates. */
  source: string;
}

const isLocale = (s: string | undefined): s is (typeof LOCALES)[number] => LOCALES.some((l) => l === s);
const langOf = (locale: Locale): Lang =>
  (Object.keys(STRINGS) as Lang[]).find((lang) => lang.toLowerCase() === locale) ?? 'en';

export function pageOf(file: string): Page {
  const parts = file.split(sep);
  // The nearest folder named after a locale; the file name itself is never one.
  const at = parts.slice(0, -1).findLastIndex(isLocale);
  const locale = at < 0 ? 'en' : (parts[at] as Locale);
  const english = at < 0 ? file : [...parts.slice(0, at), ...parts.slice(at + 1)].join(sep);
  return {
    locale,
    lang: langOf(locale),
    slug: slugOf(english),
    recordings: MATRIX.map((entry) => ({ entry, file: recordingPath(english, entry) })),
    source: english,
  };
}
