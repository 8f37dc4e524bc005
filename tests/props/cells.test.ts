/**
 * Bad input to the cell model: arbitrary fence metas, code and whole chapters. Whatever an
 * author writes, the parser either reads cells or fails with CellErrors that name the file,
 * a line of it and a fix; it never throws anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellError, ChapterErrors } from '../../src/cells/errors.ts';
import { splitMeta } from '../../src/cells/meta.ts';
import { type Fence, parseChapter, readFence } from '../../src/cells/parse.ts';
import { ATTRIBUTES } from '../../src/cells/schema.ts';

const FILE = 'chapter.md';

/** Pieces an author's meta is made of, right and wrong, plus names every JS object inherits. */
const metaPiece = fc.oneof(
  fc.constantFrom(
    ...Object.keys(ATTRIBUTES),
    'id=a',
    'id=Bad_Id',
    'session=container',
    'timeout=10s',
    'timeout=forever',
    'timeout=99m',
    'exit=any',
    'exit=300',
    'requires=ipvlan,cmd:ip',
    'requires=warp-drive',
    'claim="a \\"quoted\\" claim"',
    'claim="open',
    'compare=text',
    'compare=bytes',
    '__proto__',
    '__proto__=x',
    'constructor',
    'toString=1',
    'hasOwnProperty',
    '=',
    '"',
    '\\',
    '=value',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const meta = fc
  .array(metaPiece, { maxLength: 8 })
  .chain((pieces) =>
    fc
      .array(fc.constantFrom(' ', '  ', '\t', ''), { minLength: pieces.length, maxLength: pieces.length })
      .map((gaps) => pieces.map((p, i) => `${gaps[i]}${p}`).join(' ')),
  );
const code = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('echo hi', 'a\rb', 'x\u0003y', 'tab\there', 'x'.repeat(5000), `${'é'.repeat(2100)}`),
);

function expectAuthoringError(e: unknown, lines: number): void {
  const errors = e instanceof ChapterErrors ? e.errors : [e];
  expect(e instanceof CellError || e instanceof ChapterErrors, String(e)).toBe(true);
  expect(errors.length).toBeGreaterThan(0);
  for (const err of errors) {
    expect(err).toBeInstanceOf(CellError);
    const { file, line, problem, fix } = err as CellError;
    expect(file).toBe(FILE);
    expect(Number.isInteger(line) && line >= 1 && line <= lines, `line ${line} of ${lines}`).toBe(true);
    expect(problem.length).toBeGreaterThan(0);
    expect(fix.length).toBeGreaterThan(0);
  }
}

describe('splitMeta', () => {
  it('reads any meta into words or throws a SyntaxError for an open quote', () => {
    fc.assert(
      fc.property(meta, (m) => {
        try {
          for (const w of splitMeta(m)) {
            expect(typeof w.name).toBe('string');
            expect(w.value === undefined || typeof w.value === 'string').toBe(true);
          }
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
          expect((e as Error).message).toMatch(/no closing quote/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back what a well-formed meta holds', () => {
    const name = fc.stringMatching(/^[a-z][a-z-]{0,8}$/);
    const value = fc.string({ maxLength: 10 });
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.option(value, { nil: undefined })), { maxLength: 6 }), (words) => {
        const quote = (v: string) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        const text = words.map(([n, v]) => (v === undefined ? n : `${n}=${quote(v)}`)).join(' ');
        expect(splitMeta(text)).toEqual(words.map(([n, v]) => (v === undefined ? { name: n } : { name: n, value: v })));
      }),
    );
  });
});

describe('readFence', () => {
  it('reads a cell or fails with a CellError at the fence, for any meta, language and code', () => {
    const lang = fc.oneof(fc.constantFrom('sh', 'bash', 'shell', 'python', ''), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(meta, lang, code, fc.integer({ min: 1, max: 5000 }), (m, l, c, line) => {
        const fence: Fence = {
          lang: l,
          meta: m,
          value: c,
          position: { start: { line, column: 1 }, end: { line: line + 2, column: 1 } },
        };
        try {
          const cell = readFence(fence, FILE);
          if (cell) {
            expect(cell.line).toBe(line);
            expect(cell.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
          }
        } catch (e) {
          expectAuthoringError(e, line + 1 + c.split('\n').length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('calls an unknown attribute unknown, even one named like a property every object has', () => {
    const unknown = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'colour'),
      fc.stringMatching(/^[a-z]{1,10}$/).filter((n) => !(n in ATTRIBUTES)),
    );
    fc.assert(
      fc.property(unknown, fc.boolean(), (name, withValue) => {
        const fence: Fence = {
          lang: 'sh',
          meta: `run id=a ${name}${withValue ? '=1' : ''}`,
          value: 'true',
          position: { start: { line: 7, column: 1 }, end: { line: 9, column: 1 } },
        };
        expect(() => readFence(fence, FILE)).toThrow(`${FILE}:7: unknown attribute "${name}"`);
      }),
    );
  });
});

describe('parseChapter', () => {
  const frontmatter = fc.oneof(
    fc.constant(''),
    fc.constant('---\ntitle: T\nlab:\n  sessions:\n    container: { namespaces: [pid, mount] }\n---\n'),
    fc.constant('---\ntitle: a: b: c\n---\n'),
    fc.constant('---\nlab: 5\n---\n'),
    fc.constant('---\nlab:\n  sessions:\n    host: { namespaces: [pid] }\n---\n'),
    fc.string({ maxLength: 40 }).map((s) => `---\n${s}\n---\n`),
  );
  const block = fc.oneof(
    fc.tuple(fc.constantFrom('sh', 'bash', 'js', ''), meta, code).map(([l, m, c]) => `\`\`\`${l} ${m}\n${c}\n\`\`\``),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('```sh run id=a\ntrue\n```', '```sh run id=a session=nope\ntrue\n```', '~~~sh run\n'),
  );
  const chapter = fc
    .tuple(frontmatter, fc.array(block, { maxLength: 6 }))
    .map(([f, blocks]) => `${f}${blocks.join('\n\n')}\n`);

  it('reads any chapter or fails with ChapterErrors, each with this file, a line of it and a fix', () => {
    fc.assert(
      fc.property(chapter, (text) => {
        try {
          const ch = parseChapter(text, FILE);
          expect(new Set(ch.cells.map((c) => c.id)).size).toBe(ch.cells.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ChapterErrors);
          expectAuthoringError(e, text.split('\n').length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reports a duplicate id at the second cell and an unknown session at its cell', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }), fc.nat(3), (prose, at) => {
        const paras = prose.map((p) => p.replaceAll('`', "'").replaceAll('~', '-'));
        const before = paras.slice(0, at).join('\n\n');
        const head = before ? `${before}\n\n` : '';
        const text = `${head}\`\`\`sh run id=a\ntrue\n\`\`\`\n\n\`\`\`sh run id=a session=nope\ntrue\n\`\`\`\n`;
        const second = text.split('\n').findIndex((l) => l.includes('session=nope')) + 1;
        try {
          parseChapter(text, FILE);
          expect.unreachable('the chapter has a duplicate id');
        } catch (e) {
          expect(e).toBeInstanceOf(ChapterErrors);
          const problems = (e as ChapterErrors).errors.map((x) => `${x.line}: ${x.problem}`);
          expect(problems).toEqual([
            `${second}: duplicate cell id "a" (first at line ${second - 4})`,
            `${second}: unknown session "nope"`,
          ]);
        }
      }),
    );
  });
});
