/**
 * Why a cell did not pass, as a recording holds it (data) and as each language says it: the
 * site's pages at build time, the live client, and the CLI in English (src/cells/reasons.ts,
 * capabilities.ts).
 */
import { describe, expect, it } from 'vitest';
import { CAPABILITIES, type Capability, type Language, skipReason } from '../../src/cells/capabilities.ts';
import { CELL_COMMANDS } from '../../src/cells/packages.ts';
import { LAB_SESSION, REASON_FIELDS, reasonOf, reasonText } from '../../src/cells/reasons.ts';
import { cellRecording } from '../../src/cells/recording.ts';
import { DEFAULT_SESSION } from '../../src/cells/schema.ts';
import { STRINGS } from '../../src/site/strings.ts';

const LANGUAGES = Object.keys(STRINGS) as Language[];
const EVERY_CAPABILITY = [...Object.keys(CAPABILITIES), ...CELL_COMMANDS.map((c) => `cmd:${c}`)] as Capability[];
/** A half-width colon, semicolon, comma or parenthesis right after a CJK character, or before one. */
const HALF_WIDTH_IN_CHINESE = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef][:;,()]|[:;,(][\u4e00-\u9fff]/;

describe('a skip, by the capability its target lacks', () => {
  it('says a capability in each language', () => {
    expect(skipReason('ipvlan')).toBe('needs ipvlan, but this kernel lacks ipvlan');
    expect(skipReason('ipvlan', 'zh-CN')).toBe('需要 ipvlan，但此内核没有 ipvlan');
    expect(skipReason('veth', 'zh-CN')).toBe('需要 veth 设备对，但此内核无法创建 veth 设备对');
    expect(skipReason('swap', 'zh-CN')).toBe('需要交换空间，但这台目标机器没有交换空间（本项目的虚拟机有 256 MiB）');
  });

  it('says a missing command with the packages that have it, in each language', () => {
    expect(skipReason('cmd:busybox')).toBe(
      'needs the command busybox, which is not installed on this target (Debian/Ubuntu: busybox-static; Fedora: busybox)',
    );
    expect(skipReason('cmd:busybox', 'zh-CN')).toBe(
      '需要命令 busybox，但这台目标机器上没有安装它（Debian/Ubuntu：busybox-static；Fedora：busybox）',
    );
    expect(skipReason('cmd:iptables', 'zh-CN')).toBe(
      '需要命令 iptables，但这台目标机器上没有安装它（Debian/Ubuntu：iptables；Fedora：iptables-nft）',
    );
  });

  it('has words for every capability and command in every language, the Chinese in Chinese punctuation', () => {
    for (const lang of LANGUAGES) {
      for (const cap of EVERY_CAPABILITY) {
        const said = skipReason(cap, lang);
        expect(said, `${cap} in ${lang}`).toMatch(/\S{2}/);
        if (lang === 'en') continue;
        expect(said, cap).not.toMatch(/needs |but this |which is not installed/);
        expect(said, cap).not.toMatch(HALF_WIDTH_IN_CHINESE);
        // Chinese meets a Latin word with a space between them.
        expect(said, cap).not.toMatch(/[\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u4e00-\u9fff]/);
      }
    }
  });
});

describe('the other reasons', () => {
  const cases = [
    [
      { labEndedIn: 'kills-the-lab' },
      'not run: the lab ended during the cell "kills-the-lab"',
      '未运行：lab 在单元格 kills-the-lab 运行时已经结束',
    ],
    [{ timeoutMs: 2000 }, 'timed out after 2 s', '运行超过了 2 秒的时限'],
    [{ expectedExit: 0, exitCode: 3 }, 'exit status 3, expected 0', '退出码为 3，应为 0'],
    [{ sessionEnded: 'lab' }, 'the session "lab" ended, and the lab with it', '会话 lab 已经结束，lab 也随之结束'],
    [{ sessionEnded: 'box' }, 'the session "box" ended', '会话 box 已经结束'],
    [
      { message: 'lost the connection to the target vm:debian12' },
      'lost the connection to the target vm:debian12',
      '运行器报告：lost the connection to the target vm:debian12',
    ],
  ] as const;

  it('says each in each language', () => {
    for (const [reason, en, zh] of cases) {
      expect(reasonText(reason)).toBe(en);
      expect(reasonText(reason, 'zh-CN')).toBe(zh);
    }
    expect(reasonText({})).toBeUndefined();
  });

  it('knows the lab by its own shell, the default session', () => {
    expect(LAB_SESSION).toBe(DEFAULT_SESSION);
  });

  it('takes just the reason of a run, for the live end message', () => {
    const run = { id: 'a', status: 'skipped', output: '', missing: 'ipvlan' as const, exitCode: null };
    expect(reasonOf(run)).toEqual({ missing: 'ipvlan' });
    expect(REASON_FIELDS.every((f) => f in cellRecording.shape)).toBe(true);
  });
});

describe('the recording of a reason', () => {
  const cell = { id: 'a', hash: 'h', exitCode: null, durationMs: 0, output: '', droppedBytes: 0 };

  it('holds a skip as its missing capability, and nothing else', () => {
    expect(cellRecording.safeParse({ ...cell, status: 'skipped', missing: 'cmd:busybox' }).success).toBe(true);
    // A recording from before reasons were data: re-record or convert it.
    const old = cellRecording.safeParse({
      ...cell,
      status: 'skipped',
      reason: 'needs ipvlan, but this kernel lacks ipvlan',
    });
    expect(old.error?.issues[0]?.message).toMatch(/a skipped cell says which capability its target lacks/);
    expect(cellRecording.safeParse({ ...cell, status: 'skipped', missing: 'ipvlan6' }).success).toBe(false);
  });
});
