/**
 * Every word the site adds around cells and diagrams, in each language, in one place.
 * The live client reads the run hint from the page, so it needs no copy of these.
 */
export type Locale = 'en' | 'zh-cn';

export interface Strings {
  status: Record<'passed' | 'failed' | 'timed-out' | 'skipped' | 'error', string>;
  notRecorded: string;
  stale: string;
  /** Over the list of differences that `astro dev` shows on a translation (a build refuses them). */
  translationDiffers: string;
  verified: string;
  notVerified: string;
  original: string;
  output: string;
  exit: (code: number | null) => string;
  recorded: string;
  /** Under a cell recorded on another target than the rest of its chapter: which, and why. */
  recordedElsewhere: (target: string, why: string) => string;
  run: string;
  runHint: string;
  /** A data cell's raw snapshot, under its drawing; and why a snapshot could not be drawn. */
  snapshot: string;
  undrawable: string;
  /** Said on an https page (the published site), where the runner must allow its origin. */
  runHintPublished: (origin: string) => string;
  live: {
    output: string;
    runAbove: string;
    interrupt: string;
    reset: string;
    compare: string;
    connecting: string;
    running: string;
    lost: string;
    newLink: string;
    same: string;
    differs: string;
    drawnLive: string;
  };
}

export const STRINGS: Record<Locale, Strings> = {
  en: {
    status: { passed: 'passed', failed: 'failed', 'timed-out': 'timed out', skipped: 'skipped', error: 'error' },
    notRecorded: 'not recorded',
    stale: 'source changed since recording',
    translationDiffers: 'The cells of this translation differ from the English chapter (a build refuses this page):',
    verified: 'Verified: ',
    notVerified: 'Not verified: ',
    original: 'Original (not run here)',
    output: 'Recorded output',
    exit: (code) => (code === null ? 'no exit status' : `exit ${code}`),
    recorded: 'recorded',
    recordedElsewhere: (target, why) =>
      `recorded on ${target}: the machine that recorded the rest of this chapter skipped it (${why})`,
    run: 'Run',
    snapshot: 'The snapshot this is drawn from',
    undrawable: 'cannot be drawn',
    runHint: 'Start a runner with `sudo npx labbook serve` and open the link it prints.',
    runHintPublished: (origin) =>
      `Start a runner on your Linux machine or VM with \`sudo npx labbook serve --allow-origin ${origin}\` and open the second link it prints; if the browser asks whether this site may reach devices on your local network, allow it: the runner listens on 127.0.0.1 only.`,
    live: {
      output: 'Live output',
      runAbove: 'Run all above',
      interrupt: 'Interrupt (Ctrl-C)',
      reset: 'Reset session',
      compare: 'Compare with the recording',
      connecting: 'connecting to the runner…',
      running: 'running…',
      lost: 'lost the runner: reconnecting…',
      newLink: 'the runner is gone or restarted: start it again and open the new link it prints',
      same: 'Same as the recording, once PIDs, MACs, inodes and times are set aside.',
      differs: 'Differences from the recording (− recorded, + this run):',
      drawnLive: 'drawn from your run',
    },
  },
  'zh-cn': {
    status: { passed: '通过', failed: '失败', 'timed-out': '超时', skipped: '已跳过', error: '出错' },
    notRecorded: '尚未录制',
    stale: '录制后源码已改动',
    translationDiffers: '本译文的单元与英文章节不一致（构建时会拒绝此页面）：',
    verified: '已验证：',
    notVerified: '未验证：',
    original: '原文（此处不运行）',
    output: '录制的输出',
    exit: (code) => (code === null ? '无退出状态' : `退出码 ${code}`),
    recorded: '录制于',
    recordedElsewhere: (target, why) => `录制于 ${target}：录制本章其余部分的机器跳过了它（${why}）`,
    run: '运行',
    snapshot: '绘图所依据的快照',
    undrawable: '无法绘制',
    runHint: '用 `sudo npx labbook serve` 启动运行器，然后打开它打印的链接。',
    runHintPublished: (origin) =>
      `在你的 Linux 机器或虚拟机上用 \`sudo npx labbook serve --allow-origin ${origin}\` 启动运行器，然后打开它打印的第二个链接；如果浏览器询问是否允许本网站访问本地网络中的设备，请允许：运行器只监听 127.0.0.1。`,
    live: {
      output: '实时输出',
      runAbove: '运行上面所有单元',
      interrupt: '中断（Ctrl-C）',
      reset: '重置会话',
      compare: '与录制结果比较',
      connecting: '正在连接运行器…',
      running: '运行中…',
      lost: '与运行器的连接断开：正在重连…',
      newLink: '运行器已停止或已重启：请重新启动它并打开它打印的新链接',
      same: '除去 PID、MAC、inode 和时间之外，与录制结果相同。',
      differs: '与录制结果的差异（− 录制，+ 本次运行）：',
      drawnLive: '根据你这次运行绘制',
    },
  },
};
