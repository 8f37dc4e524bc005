/**
 * Every word the site adds around cells and diagrams, in each language, in one place.
 * The live client reads the run hint from the page, so it needs no copy of these.
 */
export type Locale = 'en' | 'zh-cn';

export interface Strings {
  status: Record<'passed' | 'failed' | 'timed-out' | 'skipped' | 'error', string>;
  notRecorded: string;
  stale: string;
  verified: string;
  notVerified: string;
  original: string;
  output: string;
  exit: (code: number | null) => string;
  recorded: string;
  run: string;
  runHint: string;
}

export const STRINGS: Record<Locale, Strings> = {
  en: {
    status: { passed: 'passed', failed: 'failed', 'timed-out': 'timed out', skipped: 'skipped', error: 'error' },
    notRecorded: 'not recorded',
    stale: 'source changed since recording',
    verified: 'Verified: ',
    notVerified: 'Not verified: ',
    original: 'Original (not run here)',
    output: 'Recorded output',
    exit: (code) => (code === null ? 'no exit status' : `exit ${code}`),
    recorded: 'recorded',
    run: 'Run',
    runHint: 'Start a runner with `sudo npx labbook serve` and open the link it prints.',
  },
  'zh-cn': {
    status: { passed: '通过', failed: '失败', 'timed-out': '超时', skipped: '已跳过', error: '出错' },
    notRecorded: '尚未录制',
    stale: '录制后源码已改动',
    verified: '已验证：',
    notVerified: '未验证：',
    original: '原文（此处不运行）',
    output: '录制的输出',
    exit: (code) => (code === null ? '无退出状态' : `退出码 ${code}`),
    recorded: '录制于',
    run: '运行',
    runHint: '用 `sudo npx labbook serve` 启动运行器，然后打开它打印的链接。',
  },
};
