/**
 * The cells the runner serves: those of the chapters it was started with, by chapter slug
 * and cell id. By default a page may run only these, unchanged (same content hash).
 */
import { listChapters } from '../../src/cells/chapters.ts';
import { type Cell, type Chapter, loadChapter } from '../../src/cells/parse.ts';

export interface Catalog {
  chapters: Map<string, Chapter>;
}

export function loadCatalog(files = listChapters()): Catalog {
  const chapters = new Map<string, Chapter>();
  for (const { slug, file } of files) {
    const chapter = loadChapter(file);
    if (chapter.cells.length) chapters.set(slug, chapter);
  }
  return { chapters };
}

export type Lookup = { ok: true; chapter: Chapter; cell: Cell; code: string } | { ok: false; reason: string };

/** Decides whether a page may run this cell, and with which code. */
export function lookUp(
  catalog: Catalog,
  slug: string,
  request: { cell: string; hash: string; code?: string },
  allowEdit: boolean,
): Lookup {
  const chapter = catalog.chapters.get(slug);
  if (!chapter) return { ok: false, reason: `the runner does not serve the chapter "${slug}"` };
  const cell = chapter.cells.find((c) => c.id === request.cell);
  if (!cell) return { ok: false, reason: `the chapter "${slug}" has no cell "${request.cell}"` };
  const edited = request.code !== undefined && request.code !== cell.code;
  if (!edited && request.hash === cell.hash) return { ok: true, chapter, cell, code: cell.code };
  if (!allowEdit) {
    return {
      ok: false,
      reason: `the cell "${cell.id}" differs from the one the runner serves: reload the page, or start the runner with --allow-edit to run edited code`,
    };
  }
  return { ok: true, chapter, cell, code: request.code ?? cell.code };
}
