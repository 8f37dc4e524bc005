/**
 * The site's Chinese words (src/site/strings.ts) in Chinese typography and the site's terms:
 * full-width punctuation where it meets Chinese, a space between Chinese and a Latin word or a
 * {{value}}, and 单元格 for a cell (单元 is systemd's unit).
 */
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../../src/site/strings.ts';

const HAN = '\\u4e00-\\u9fff';
const CJK = `\\u3000-\\u303f${HAN}\\uff00-\\uffef`;

describe("the site's Chinese words", () => {
  const zh = Object.entries(STRINGS['zh-CN']);

  it('use full-width punctuation next to Chinese', () => {
    const halfWidth = new RegExp(`[${CJK}][:;,()!?]|[:;,(!?][${HAN}]`);
    expect(zh.filter(([, s]) => halfWidth.test(s))).toEqual([]);
  });

  it('put a space between Chinese and a Latin word, a number or a value', () => {
    const tight = new RegExp(`[${HAN}][A-Za-z0-9{\`]|[A-Za-z0-9}\`][${HAN}]`);
    expect(zh.filter(([, s]) => tight.test(s))).toEqual([]);
  });

  it('call a cell 单元格', () => {
    expect(zh.filter(([, s]) => /单元(?!格)/.test(s))).toEqual([]);
    expect(STRINGS['zh-CN']['labbook.proven.skippedCells']).toBe('{{entry}} 跳过的 {{count}} 个单元格及原因');
  });

  it('fill in the same values as the English', () => {
    const values = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const [key, s] of zh) expect(values(s), key).toEqual(values(STRINGS.en[key as keyof typeof STRINGS.en]));
  });
});
