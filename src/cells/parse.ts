/**
 * The one module that decides what a cell is, and the one reader of chapters: the runner and
 * the tests read a chapter with loadChapter/parseChapter, the site's markdown plugin with
 * readChapter (every fence at its line in the file, and every mistake, without throwing).
 *
 * Input (a chapter in plain Markdown):
 *
 *   ---
 *   title: PID namespace
 *   lab:
 *     sessions:
 *       container: { namespaces: [pid, mount, uts] }
 *     requires: [cmd:busybox]      # what every cell of the chapter needs
 *   ---
 *   ```sh run id=ns-inode session=container check claim="PID 1 has its own namespace"
 *   readlink /proc/1/ns/pid
 *   ```
 *
 * Output: a Chapter with its sessions and, in document order, one Cell per fence whose
 * meta has the word `run`. A fence with the word `original` is a non-runnable block of the
 * source document, shown as such. Errors carry the file, line (in the file, frontmatter
 * included) and the fix; all the mistakes of a file are reported together.
 *
 * What each attribute accepts and means: schema.ts (ATTRIBUTES), and README's table of them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Code, Root } from 'mdast';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { parse as parseYaml } from 'yaml';
import type { Capability } from './capabilities.ts';
import { parseChangeExpect } from './change.ts';
import { CellError, ChapterErrors } from './errors.ts';
import { splitMeta } from './meta.ts';
import {
  ATTRIBUTES,
  type AttributeName,
  cellAttributes,
  chapterFrontmatter,
  DEFAULT_SESSION,
  type SessionSpec,
} from './schema.ts';
import { type DataKind, parseExpect } from './structure/index.ts';

const SHELLS = new Set(['sh', 'bash', 'shell']);
/** A PTY in canonical mode delivers at most 4095 bytes per line. */
const MAX_LINE_BYTES = 4000;

export interface Cell {
  id: string;
  session: string;
  timeoutMs: number;
  exit: number | 'any';
  requires: Capability[];
  check: boolean;
  claim?: string;
  role: 'main' | 'setup' | 'teardown';
  hidden: boolean;
  compare: 'text' | 'status';
  /** A regular expression for the part of its output that differs from run to run. */
  volatile?: string;
  /** A snapshot the page draws, with its title (text alternative) and facts to verify. */
  data?: DataKind;
  title?: string;
  expect?: string;
  axes?: [string, string];
  code: string;
  /** sha256 of the code, 16 hex digits: a recording made from other code is stale. */
  hash: string;
  file: string;
  line: number;
}

export interface Chapter {
  file: string;
  title?: string;
  sessions: Record<string, SessionSpec>;
  cells: Cell[];
}

/** The parts of an mdast `code` node this module reads. */
export type Fence = Pick<Code, 'lang' | 'meta' | 'value' | 'position'>;

export function hashSource(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 16);
}

export function isOriginal(fence: Fence): boolean {
  return !!fence.meta && splitMeta(fence.meta).some((w) => w.name === 'original' && w.value === undefined);
}

/**
 * Reads one fence: a Cell, or null when its meta has no `run`. `chapterRequires` (the
 * frontmatter's lab.requires) come before the cell's own requires=.
 */
export function readFence(fence: Fence, file: string, chapterRequires: Capability[] = []): Cell | null {
  const line = fence.position?.start.line ?? 0;
  if (!fence.meta) return null;
  const fail = (problem: string, fix: string) => new CellError(file, line, problem, fix);
  let words: ReturnType<typeof splitMeta>;
  try {
    words = splitMeta(fence.meta);
  } catch (e) {
    throw fail((e as Error).message, 'close the quote: claim="..."');
  }
  if (!words.some((w) => w.name === 'run')) return null;
  if (!SHELLS.has(fence.lang ?? '')) {
    throw fail(`a cell must be a shell block, not "${fence.lang ?? ''}"`, 'open the fence with ```sh run id=...');
  }
  // A Map, not an object literal: a name like "__proto__" or "toString" is an unknown
  // attribute, not a property every object already has.
  const given = new Map<string, string | true>();
  for (const w of words) {
    if (given.has(w.name)) throw fail(`the attribute "${w.name}" appears twice`, 'keep one of them');
    given.set(w.name, w.value ?? true);
  }
  const attrs: Record<string, string | true> = Object.fromEntries(given);
  const parsed = cellAttributes.safeParse(attrs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw fail(`unknown attribute "${issue.keys[0]}"`, `use one of: ${Object.keys(ATTRIBUTES).join(', ')}`);
    }
    const name = String(issue?.path[0] ?? 'id') as AttributeName;
    const value = given.get(name);
    throw fail(
      value === undefined ? `the attribute "${name}" is missing` : `${name}=${value} ${issue?.message}`,
      `${name}: ${ATTRIBUTES[name].help}`,
    );
  }
  const a = parsed.data;
  if (a.claim && !a.check) throw fail('claim= is given without check', 'add the word check, or remove claim=');
  if (a.check && a.exit !== 0) throw fail('a check cell must exit 0', 'remove exit= from the check cell');
  if (a.setup && a.teardown) throw fail('a cell cannot be both setup and teardown', 'keep one of the two words');
  if (a.data && !a.title) throw fail(`a data=${a.data} cell has no title`, ATTRIBUTES.title.help);
  if (!a.data && (a.title || a.axes)) throw fail('title= and axes= go with data=', ATTRIBUTES.data.help);
  if (a.volatile && (a.data || a.compare === 'status')) {
    throw fail('volatile= goes with a cell whose output is compared as text', ATTRIBUTES.volatile.help);
  }
  if (a.axes && a.data !== 'samples') throw fail('axes= goes with data=samples', ATTRIBUTES.axes.help);
  if (a.expect) {
    if (!a.check) throw fail('expect= states a claim: the cell must be a check', 'add the word check and claim="..."');
    try {
      // Without data=, the claim is about what the cell changed in the kernel (change.ts).
      if (a.data) parseExpect(a.data, a.expect);
      else parseChangeExpect(a.expect);
    } catch (e) {
      throw fail(`expect=: ${(e as Error).message}`, ATTRIBUTES.expect.help);
    }
  }
  const code = fence.value;
  code.split('\n').forEach((text, i) => {
    // Control characters would act as keys on the PTY (Ctrl-C, Ctrl-D) instead of as text.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
    if (/[\0-\x08\x0a-\x1f\x7f]/.test(text)) {
      throw new CellError(file, line + 1 + i, 'the cell contains a control character', "write it as $'\\xNN' instead");
    }
    if (Buffer.byteLength(text) > MAX_LINE_BYTES) {
      throw new CellError(file, line + 1 + i, `a line is longer than ${MAX_LINE_BYTES} bytes`, 'split it with \\');
    }
  });
  return {
    id: a.id,
    session: a.session,
    timeoutMs: a.timeout,
    exit: a.exit,
    requires: [...new Set([...chapterRequires, ...(a.requires as Capability[])])],
    check: !!a.check,
    claim: a.claim,
    role: a.setup ? 'setup' : a.teardown ? 'teardown' : 'main',
    hidden: !!(a.hidden || a.setup || a.teardown),
    compare: a.compare,
    volatile: a.volatile,
    data: a.data,
    title: a.title,
    expect: a.expect,
    axes: a.axes ? (a.axes.split('|').map((x) => x.trim()) as [string, string]) : undefined,
    code,
    hash: hashSource(code),
    file,
    line,
  };
}

/** Splits off YAML frontmatter, blanking its lines so that Markdown positions stay true. */
function splitFrontmatter(text: string, file: string): { data: unknown; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  if (!m) return { data: {}, body: text };
  const blank = '\n'.repeat(m[0].split('\n').length - 1);
  try {
    return { data: parseYaml(m[1] as string) ?? {}, body: blank + text.slice(m[0].length) };
  } catch (e) {
    const yamlLine = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line ?? 0;
    const problem = `the frontmatter is not valid YAML: ${(e as Error).message.split('\n')[0]}`;
    throw new CellError(file, yamlLine + 1, problem, 'quote a value that holds ": " or "#"');
  }
}

export interface LabSpec {
  sessions: Record<string, SessionSpec>;
  requires: Capability[];
}

/** Reads the frontmatter's `lab` (its sessions and requires), failing with the place and the fix. */
function readLab(data: unknown, file: string): LabSpec {
  const parsed = chapterFrontmatter.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const fix =
      issue?.path[1] === 'requires'
        ? `list capabilities or commands: lab: { requires: [overlay, cmd:busybox] } (${ATTRIBUTES.requires.help})`
        : 'declare sessions as lab: { sessions: { NAME: { namespaces: [pid, mount, uts, ipc, net] } } }';
    throw new CellError(file, 1, `frontmatter ${issue?.path.join('.')}: ${issue?.message}`, fix);
  }
  const sessions = parsed.data.lab?.sessions ?? {};
  if (DEFAULT_SESSION in sessions) {
    throw new CellError(file, 1, `the session "${DEFAULT_SESSION}" is built in`, 'give your session another name');
  }
  return { sessions, requires: (parsed.data.lab?.requires ?? []) as Capability[] };
}

/** Checks what only the whole chapter can tell: unique ids, known sessions. */
function checkChapter(cells: Cell[], sessions: Record<string, SessionSpec>, file: string): CellError[] {
  const errors: CellError[] = [];
  const seen = new Map<string, number>();
  for (const c of cells) {
    const first = seen.get(c.id);
    if (first !== undefined) {
      errors.push(
        new CellError(file, c.line, `duplicate cell id "${c.id}" (first at line ${first})`, 'rename one of them'),
      );
    } else seen.set(c.id, c.line);
    if (c.session !== DEFAULT_SESSION && !(c.session in sessions)) {
      const known = [DEFAULT_SESSION, ...Object.keys(sessions)].join(', ');
      errors.push(
        new CellError(
          file,
          c.line,
          `unknown session "${c.session}"`,
          `use one of ${known}, or declare it under lab.sessions in the frontmatter`,
        ),
      );
    }
  }
  return errors;
}

/** A fenced block of a chapter, at its line in the file, and the cell it is if it is one. */
export interface ChapterFence {
  fence: Fence;
  cell?: Cell;
}

/**
 * A chapter as the file reads, mistakes included: what the parser, the runner and the site
 * all read a chapter with. Every fenced block is listed in document order, cell or not (the
 * site draws diagrams and labels `original` blocks from them), and every authoring mistake of
 * the file is in `errors`, each with its line in the file and its fix.
 */
export interface ChapterReading {
  /** The cells that read well; a Chapter of the file only if `errors` is empty. */
  chapter: Chapter;
  fences: ChapterFence[];
  errors: CellError[];
}

export function readChapter(text: string, file: string): ChapterReading {
  let split: ReturnType<typeof splitFrontmatter>;
  try {
    split = splitFrontmatter(text, file);
  } catch (e) {
    // Without its frontmatter nothing else of the file can be judged (its sessions are unknown).
    return { chapter: { file, sessions: {}, cells: [] }, fences: [], errors: [e as CellError] };
  }
  const { data, body } = split;
  const errors: CellError[] = [];
  let lab: LabSpec = { sessions: {}, requires: [] };
  try {
    lab = readLab(data, file);
  } catch (e) {
    errors.push(e as CellError);
  }
  const fences: ChapterFence[] = [];
  const tree = unified().use(remarkParse).parse(body) as Root;
  visit(tree, 'code', (node: Code) => {
    const fence: Fence = { lang: node.lang, meta: node.meta, value: node.value, position: node.position };
    try {
      fences.push({ fence, cell: readFence(fence, file, lab.requires) ?? undefined });
    } catch (e) {
      if (!(e instanceof CellError)) throw e;
      errors.push(e);
      fences.push({ fence });
    }
  });
  const cells = fences.flatMap((f) => (f.cell ? [f.cell] : []));
  errors.push(...checkChapter(cells, lab.sessions, file));
  const title = (data as { title?: unknown }).title;
  return {
    chapter: { file, title: typeof title === 'string' ? title : undefined, sessions: lab.sessions, cells },
    fences,
    errors,
  };
}

/** The chapter of a file, or every authoring mistake of it together (ChapterErrors). */
export function parseChapter(text: string, file: string): Chapter {
  const { chapter, errors } = readChapter(text, file);
  if (errors.length) throw new ChapterErrors(errors);
  return chapter;
}

export function loadChapter(file: string): Chapter {
  return parseChapter(readFileSync(file, 'utf8'), file);
}
