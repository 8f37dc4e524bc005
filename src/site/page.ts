/**
 * Which chapter a Markdown file is. A translation lives in a locale folder
 * (docs/zh-cn/namespace.md) and shares the English chapter's slug, cell ids and recording:
 *
 *   src/content/docs/zh-cn/namespace.md -> { locale: 'zh-cn', slug: 'namespace',
 *                                            recordingFile: src/content/recordings/namespace.json }
 */
import { sep } from 'node:path';
import { LOCALES, recordingPath, slugOf } from '../cells/chapters.ts';
import type { Locale } from './strings.ts';

export interface Page {
  locale: Locale;
  slug: string;
  recordingFile: string;
  /** The English chapter: the page itself, or the chapter it translates. */
  source: string;
}

const isLocale = (s: string | undefined): s is (typeof LOCALES)[number] => LOCALES.some((l) => l === s);

export function pageOf(file: string): Page {
  const parts = file.split(sep);
  // The nearest folder named after a locale; the file name itself is never one.
  const at = parts.slice(0, -1).findLastIndex(isLocale);
  const locale = at < 0 ? 'en' : (parts[at] as Locale);
  const english = at < 0 ? file : [...parts.slice(0, at), ...parts.slice(at + 1)].join(sep);
  return { locale, slug: slugOf(english), recordingFile: recordingPath(english), source: english };
}
