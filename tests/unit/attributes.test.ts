/**
 * The cell attributes are defined once, in src/cells/schema.ts; README's tables, written for
 * people, must say what the code has: the same attributes in the same order, the same
 * defaults, capabilities, data kinds and expectations.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../../src/cells/capabilities.ts';
import { CHANGE_EXPECTATIONS, parseChangeExpect } from '../../src/cells/change.ts';
import { ATTRIBUTES, type AttributeName, cellAttributes } from '../../src/cells/schema.ts';
import { DATA_KINDS, EXPECTATIONS, parseExpect } from '../../src/cells/structure/index.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the README table whose header row is `header`, each as its cells' text. */
function table(header: string): string[][] {
  const lines = README.split('\n');
  const start = lines.indexOf(header);
  expect(start, `README has a table headed ${header}`).toBeGreaterThan(-1);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replaceAll('\\|', '|')),
    );
  }
  return rows;
}

/** The `code` spans of a cell. */
const spans = (cell = '') => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

const attributes = table('| attribute | meaning | default |');
/** Each attribute the README names, with its row. */
const named = attributes.flatMap((row) => spans(row[0]).map((s) => [s.split('=')[0] as AttributeName, row] as const));
const rowOf = (name: string) => named.find(([n]) => n === name)?.[1] ?? expect.unreachable(`no row for ${name}`);

describe("README's attribute table", () => {
  it('lists exactly the attributes of the schema, in its order', () => {
    expect(named.map(([name]) => name)).toEqual(Object.keys(ATTRIBUTES));
  });

  it('gives the defaults the schema has, and no default where it has none', () => {
    const defaults: Record<string, unknown> = cellAttributes.parse({ run: true, id: 'a' });
    for (const [name, row] of named) {
      const written = (row[2] ?? '').replaceAll('`', '');
      if (name === 'run' || name === 'id' || defaults[name] === undefined) {
        expect(written, name).toMatch(/^(required.*)?$/);
      } else {
        // Written as an author writes the value: parsed, it is the default the schema applies.
        const value = written === 'none' ? [] : ATTRIBUTES[name].schema.parse(written);
        expect(value, name).toEqual(defaults[name]);
      }
    }
  });

  it('lists every capability a cell may require, and every data kind', () => {
    const capabilities = spans(rowOf('requires')[1]).find((s) => s.includes('overlay'));
    expect(capabilities?.split(' ')).toEqual(Object.keys(CAPABILITIES));
    expect(spans(rowOf('data')[1])).toEqual([...DATA_KINDS]);
  });
});

describe("README's table of expectations", () => {
  const rows = table('| kind | expectations |');

  it('lists the expectations of each kind as the code reads them', () => {
    expect(Object.fromEntries(rows.map(([kind, forms]) => [spans(kind)[0], spans(forms)]))).toEqual({
      ...EXPECTATIONS,
      change: CHANGE_EXPECTATIONS,
    });
  });

  it('gives forms that expect= accepts, once their words in capitals are filled in', () => {
    for (const [kind, forms] of Object.entries(EXPECTATIONS) as [keyof typeof EXPECTATIONS, string[]][]) {
      for (const form of forms) {
        const clause = form.replace(/\b[A-Z]+\b/g, (w) => (w === 'N' ? '1' : 'x'));
        expect(parseExpect(kind, clause).map((c) => c.text)).toEqual([clause]);
      }
      expect(() => parseExpect(kind, 'peer')).toThrow(new RegExp(`not an expectation about ${kind}: write `));
    }
    for (const form of CHANGE_EXPECTATIONS) {
      const clause = form.replace(/\b[A-Z]+\b/g, 'x');
      expect(parseChangeExpect(clause)).toEqual([clause]);
    }
    expect(() => parseChangeExpect('+ veth0')).toThrow(/not an expectation about a change: write /);
  });
});
