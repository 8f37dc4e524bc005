/**
 * The Chinese chapters are not hard-wrapped: a line break inside a Chinese paragraph reaches
 * the page, where the browser shows it as a space between two characters ("实现；  下面的").
 * So no line of a zh-cn page's Markdown ends in a Chinese character or full-width punctuation
 * when the next begins with one, outside code fences and the frontmatter (tests/site/site.test.ts
 * checks the built pages themselves).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS } from '../../src/cells/chapters.ts';

const CJK = /[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]/;
const endsInCjk = (line: string) => CJK.test(line.trimEnd().slice(-1));
const startsInCjk = (line: string) => CJK.test(line.trimStart().slice(0, 1));

/** "file:line" of each line that a Chinese paragraph goes on from, with both sides of the break. */
function cjkBreaks(markdown: string, file: string): string[] {
  const lines = markdown.split('\n');
  const found: string[] = [];
  let fence: string | undefined;
  let frontmatter = lines[0] === '---';
  lines.forEach((line, i) => {
    if (frontmatter) {
      if (i > 0 && line === '---') frontmatter = false;
      return;
    }
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) {
      fence = fence ? undefined : marker;
      return;
    }
    const next = lines[i + 1];
    if (!fence && next !== undefined && endsInCjk(line) && startsInCjk(next)) {
      found.push(`${file}:${i + 1}: …${line.trimEnd().slice(-12)} / ${next.trimStart().slice(0, 12)}…`);
    }
  });
  return found;
}

describe('the Chinese pages, in Markdown', () => {
  it('break no line between two Chinese characters outside code', () => {
    const dir = join(DOCS, 'zh-cn');
    const files = readdirSync(dir).filter((f) => /\.mdx?$/.test(f));
    expect(files.length).toBeGreaterThan(1);
    expect(files.flatMap((f) => cjkBreaks(readFileSync(join(dir, f), 'utf8'), `zh-cn/${f}`))).toEqual([]);
  });

  it('finds such a break, and none in code, the frontmatter or between a paragraph and a list', () => {
    const markdown = [
      '---',
      'title: 标题',
      'description: 描述',
      '---',
      '第一段的文字，',
      '在这里断了行。',
      '',
      '```sh',
      'echo 中',
      'echo 文',
      '```',
      '一段话：',
      '- 列表项',
      '',
      '中文 `code`',
      '下一行',
    ].join('\n');
    expect(cjkBreaks(markdown, 'x.md')).toEqual(['x.md:5: …第一段的文字， / 在这里断了行。…']);
  });
});
