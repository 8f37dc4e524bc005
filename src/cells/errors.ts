/**
 * Authoring errors. Each one names the file and line and says what to change, so that a
 * bad cell fails the build, `labbook` and `npm test` with the same readable message.
 */
export class CellError extends Error {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
  readonly fix: string;

  constructor(file: string, line: number, problem: string, fix: string) {
    super(`${file}:${line}: ${problem}\n  Fix: ${fix}`);
    this.name = 'CellError';
    this.file = file;
    this.line = line;
    this.problem = problem;
    this.fix = fix;
  }
}

/** Several authoring errors of one file, reported together rather than one per run. */
export class ChapterErrors extends Error {
  readonly errors: CellError[];

  constructor(errors: CellError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ChapterErrors';
    this.errors = errors;
  }
}

/** A chapter named on the command line that is neither a slug nor a Markdown file. */
export class NoSuchChapter extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoSuchChapter';
  }
}
