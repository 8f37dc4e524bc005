/**
 * Errors of the site build that an author can fix: a diagram without a title, a `beside=`
 * naming no cell, a diagram that needs Chromium. They have the shape of the cells' own
 * CellError (file, line, problem, fix), so one ChapterErrors reports both kinds together.
 */
import { CellError } from '../cells/errors.ts';

export class SiteError extends CellError {
  override name = 'SiteError';
}
