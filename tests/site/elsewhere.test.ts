/**
 * A cell recorded on another target than the rest of its chapter (`labbook record
 * --only-skipped --target vm`): its page shows that target's stamp and says why, in English
 * and in Chinese, while the other cells keep the chapter's stamp.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element, Root } from 'hast';
import { select } from 'hast-util-select';
import { toString as textOf } from 'hast-util-to-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSource } from '../../src/cells/parse.ts';
import { type Recording, serializeRecording } from '../../src/cells/recording.ts';
import { HOST, IPVLAN_CELL, IPVLAN_CODE, LACKS_IPVLAN, VM } from '../fixtures/elsewhere.ts';
import { renderMarkdown } from './render.ts';

const CHAPTER = (title: string) =>
  ['---', `title: ${title}`, '---', '', '```sh run id=here', 'echo here', '```', '', ...IPVLAN_CELL].join('\n');

const RECORDING: Recording = {
  version: 1,
  chapter: 'elsewhere',
  recordedAt: '2026-11-30T09:00:00.000Z',
  environment: HOST,
  cells: [
    {
      id: 'here',
      hash: hashSource('echo here'),
      status: 'passed',
      exitCode: 0,
      durationMs: 3,
      output: 'here\r\n',
      droppedBytes: 0,
    },
    {
      id: 'ipvlan',
      hash: hashSource(IPVLAN_CODE),
      status: 'passed',
      exitCode: 0,
      durationMs: 40,
      output: '',
      droppedBytes: 0,
      environment: {
        ...VM,
        recordedAt: '2026-12-01T10:00:00.000Z',
        skippedHere: LACKS_IPVLAN,
      },
    },
  ],
};

const meta = (page: Root, id: string) => textOf(select(`figure[data-cell="${id}"] .lab-meta`, page) as Element);

describe('a cell recorded on another target', () => {
  let dir: string;
  let english: Root;
  let chinese: Root;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'labbook-elsewhere-'));
    mkdirSync(join(dir, 'zh-cn'));
    writeFileSync(join(dir, 'elsewhere.md'), CHAPTER('Elsewhere'));
    writeFileSync(join(dir, 'zh-cn/elsewhere.md'), CHAPTER('别处'));
    writeFileSync(join(dir, 'elsewhere.recording.json'), serializeRecording(RECORDING));
    english = await renderMarkdown(join(dir, 'elsewhere.md'));
    chinese = await renderMarkdown(join(dir, 'zh-cn/elsewhere.md'));
  });
  afterAll(() => rmSync(dir, { recursive: true }));

  it("shows that target's stamp and why it was recorded there, not the chapter's", () => {
    const m = meta(english, 'ipvlan');
    expect(m).toContain('passed');
    expect(m).toContain('recorded 2026-12-01 · Debian GNU/Linux 12 (bookworm) · Linux 6.1.0-50-amd64 · labbook vm');
    expect(m).toContain(
      'recorded on labbook vm: the machine that recorded the rest of this chapter skipped it (needs ipvlan, but this kernel lacks ipvlan)',
    );
    expect(m).not.toContain('6.18.44');
    expect(select('figure[data-cell="ipvlan"] .lab-elsewhere', english)).toBeTruthy();
  });

  it("leaves the other cells with the chapter's stamp and no note", () => {
    expect(meta(english, 'here')).toContain(
      'recorded 2026-11-30 · Debian GNU/Linux 12 (bookworm) · Linux 6.18.44-fc-v657 · local',
    );
    expect(select('figure[data-cell="here"] .lab-elsewhere', english)).toBeUndefined();
  });

  it('says it in Chinese on the Chinese page', () => {
    const m = meta(chinese, 'ipvlan');
    expect(m).toContain('Linux 6.1.0-50-amd64 · labbook vm');
    expect(m).toContain(
      '录制于 labbook vm：录制本章其余部分的机器跳过了它（needs ipvlan, but this kernel lacks ipvlan）',
    );
  });
});
