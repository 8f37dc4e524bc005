import { describe, expect, it } from 'vitest';
import { ChapterErrors } from '../../src/cells/errors.ts';
import { splitMeta } from '../../src/cells/meta.ts';
import { hashSource, parseChapter } from '../../src/cells/parse.ts';

const fence = (meta: string, code = 'echo hi') => `\`\`\`sh ${meta}\n${code}\n\`\`\`\n`;

function errorsOf(text: string): string[] {
  try {
    parseChapter(text, 'ch.md');
  } catch (e) {
    if (e instanceof ChapterErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return [];
}

describe('splitMeta', () => {
  it('reads flags, values and quoted values with escapes', () => {
    expect(splitMeta('run id=a-1  claim="PID \\"1\\" differs" check')).toEqual([
      { name: 'run' },
      { name: 'id', value: 'a-1' },
      { name: 'claim', value: 'PID "1" differs' },
      { name: 'check' },
    ]);
  });
  it('rejects an unclosed quote', () => {
    expect(() => splitMeta('claim="open')).toThrow(/no closing quote/);
  });
});

describe('parseChapter', () => {
  it('turns fences with run into cells with defaults, in document order', () => {
    const ch = parseChapter(
      `# T\n\n${fence('run id=one')}\n${fence('')}\n${fence('run id=two timeout=500ms exit=any')}`,
      'ch.md',
    );
    expect(ch.cells.map((c) => [c.id, c.line, c.session, c.timeoutMs, c.exit])).toEqual([
      ['one', 3, 'lab', 30_000, 0],
      ['two', 11, 'lab', 500, 'any'],
    ]);
    expect(ch.cells[0]?.hash).toBe(hashSource('echo hi'));
  });

  it('keeps line numbers true after frontmatter and reads sessions', () => {
    const text = `---\ntitle: X\nlab:\n  sessions:\n    box: { namespaces: [pid] }\n---\n${fence('run id=a session=box timeout=2m requires=ipvlan,cmd:ping')}`;
    const [cell] = parseChapter(text, 'ch.md').cells;
    expect(cell).toMatchObject({ line: 7, session: 'box', timeoutMs: 120_000, requires: ['ipvlan', 'cmd:ping'] });
  });

  it("puts the chapter's lab.requires before each cell's own", () => {
    const text = `---\nlab:\n  requires: [overlay, cmd:busybox]\n---\n${fence('run id=a')}${fence('run id=b requires=cmd:ping,overlay')}`;
    expect(parseChapter(text, 'ch.md').cells.map((c) => c.requires)).toEqual([
      ['overlay', 'cmd:busybox'],
      ['overlay', 'cmd:busybox', 'cmd:ping'],
    ]);
    expect(errorsOf(`---\nlab:\n  requires: [warp-drive]\n---\n`)[0]).toMatch(
      /^ch\.md:1: frontmatter lab.requires.0: is neither a capability[\s\S]*Fix: list capabilities or commands/,
    );
  });

  it('marks setup, teardown, hidden and check cells', () => {
    const ch = parseChapter(
      fence('run id=a setup') +
        fence('run id=b teardown') +
        fence('run id=c check claim="x holds"') +
        fence('run id=d hidden'),
      'ch.md',
    );
    expect(ch.cells.map((c) => [c.role, c.hidden, c.check, c.claim ?? null])).toEqual([
      ['setup', true, false, null],
      ['teardown', true, false, null],
      ['main', false, true, 'x holds'],
      ['main', true, false, null],
    ]);
  });

  it.each([
    ['run id=a colour=red', /ch\.md:1: unknown attribute "colour"[\s\S]*Fix: use one of: run, id/],
    ['run', /the attribute "id" is missing/],
    ['run id=Bad_Id', /id=Bad_Id must be lowercase/],
    ['run id=a timeout=5', /timeout=5 must be a number with ms, s or m[\s\S]*Fix: timeout:/],
    ['run id=a timeout=11m', /must be at most 10m/],
    ['run id=a exit=300', /exit=300/],
    ['run id=a requires=warp-drive', /requires=warp-drive is neither a capability/],
    ['run id=a requires=cmd:nosuch', /requires=cmd:nosuch is neither[\s\S]*src\/cells\/packages.ts/],
    ['run id=a check=yes', /check=yes is a flag/],
    ['run id=a claim="x"', /claim= is given without check/],
    ['run id=a check exit=1', /a check cell must exit 0/],
    ['run id=a setup teardown', /both setup and teardown/],
    ['run id=a id=b', /appears twice/],
    ['run id=a session=nowhere', /unknown session "nowhere"[\s\S]*declare it under lab.sessions/],
  ])('fails on %s with file, line and a fix', (meta, message) => {
    const errors = errorsOf(fence(meta));
    expect(errors.join('\n')).toMatch(message);
    expect(errors.join('\n')).toMatch(/^ch\.md:\d+: /);
  });

  it('reports a duplicate id at its line, pointing at the first', () => {
    expect(errorsOf(fence('run id=a') + fence('run id=a'))).toEqual([
      'ch.md:4: duplicate cell id "a" (first at line 1)\n  Fix: rename one of them',
    ]);
  });

  it('rejects a cell in another language, control characters and bad sessions', () => {
    expect(errorsOf('```python run id=a\nprint(1)\n```\n')[0]).toMatch(/must be a shell block/);
    expect(errorsOf(fence('run id=a', 'echo \x03'))[0]).toMatch(/ch\.md:2: the cell contains a control character/);
    expect(errorsOf(`---\nlab:\n  sessions:\n    box: { namespaces: [time] }\n---\n`)[0]).toMatch(
      /frontmatter lab.sessions.box.namespaces/,
    );
    expect(errorsOf(`---\nlab:\n  sessions:\n    lab: { namespaces: [pid] }\n---\n`)[0]).toMatch(
      /the session "lab" is built in/,
    );
  });

  it("reads a cell's volatile pattern, and refuses one that is no regular expression or matches nothing", () => {
    expect(parseChapter(fence('run id=a volatile="took [0-9]+ jiffies"'), 'ch.md').cells[0]?.volatile).toBe(
      'took [0-9]+ jiffies',
    );
    expect(errorsOf(fence('run id=a volatile="[0-9"'))[0]).toMatch(
      /^ch\.md:1: volatile=\[0-9 must be a regular expression \(JavaScript\) that matches no empty text\n {2}Fix: volatile: /,
    );
    expect(errorsOf(fence('run id=a volatile=x*'))[0]).toMatch(/volatile=x\* must be a regular expression/);
    expect(errorsOf(fence('run id=a compare=status volatile=x'))[0]).toMatch(
      /volatile= goes with a cell whose output is compared as text/,
    );
  });

  it('reports broken frontmatter YAML at its line', () => {
    expect(errorsOf('---\ntitle: x\ndescription: a: b\n---\n')[0]).toMatch(
      /^ch\.md:3: the frontmatter is not valid YAML[\s\S]*Fix: quote a value/,
    );
  });

  it('collects every error of a chapter at once', () => {
    expect(errorsOf(fence('run id=a x') + fence('run id=b timeout=no'))).toHaveLength(2);
  });
});
