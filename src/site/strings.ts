/**
 * Every word the site adds around cells and diagrams, in each language, in one place: one
 * dictionary per language of the site (Starlight's BCP-47 tags), with keys of the `labbook.`
 * namespace and i18next's `{{name}}` for what a sentence is given.
 *
 *   'labbook.exit.code': 'exit {{code}}'   ->   t('labbook.exit.code', { code: 3 }) = 'exit 3'
 *
 * The site's Starlight plugin (plugin.ts) injects them into Starlight's translations, which
 * Astro components read with Astro.locals.t, and gives them to the remark plugin, which runs
 * outside Astro's requests. The live client gets the `labbook.live.`, `labbook.status.` and
 * `labbook.exit.` ones from the page (components/RunLoader.astro).
 *
 * Why a run was skipped or did not pass is worded by src/cells/reasons.ts and capabilities.ts,
 * in each language too, as the CLI words it in English: a recording holds the reason as data.
 */
import type { Language } from '../cells/capabilities.ts';

const en = {
  'labbook.status.passed': 'passed',
  'labbook.status.failed': 'failed',
  'labbook.status.timed-out': 'timed out',
  'labbook.status.skipped': 'skipped',
  'labbook.status.error': 'error',
  /** A status with its reason (a skip's, an error's): in a figure's badge and under a cell (matrix-view.ts). */
  'labbook.status.withReason': '{{status}}: {{reason}}',
  'labbook.exit.code': 'exit {{code}}',
  'labbook.exit.none': 'no exit status',
  'labbook.notRecorded': 'not recorded',
  'labbook.stale': 'source changed since recording',
  /** Over the list of differences that `astro dev` shows on a translation (a build refuses them). */
  'labbook.translationDiffers':
    'The cells of this translation differ from the English chapter (a build refuses this page):',
  'labbook.verified': 'Verified: ',
  'labbook.notVerified': 'Not verified: ',
  'labbook.original': 'Original (not run here)',
  'labbook.output': 'Recorded output',
  'labbook.recorded': 'recorded',
  /** Under a cell, a line per other kernel of the matrix (matrix-view.ts), named by the list. */
  'labbook.matrix.others': 'Results on the other kernels',
  /** A line of it: which kernel, and how its run compares with the one shown. */
  'labbook.matrix.line': '{{kernel}}: {{verdict}}',
  'labbook.matrix.same': 'same output',
  /** For a cell that compares only its exit status (compare=status). */
  'labbook.matrix.sameStatus': 'same status (output not compared)',
  'labbook.matrix.differs': 'differs',
  'labbook.matrix.missing': 'not recorded on this kernel',
  /** Over the diff of a kernel's output with the one shown above it. */
  'labbook.matrix.diffLegend':
    'Lines with - are the output of {{main}}, shown above; lines with + are that of {{other}}:',
  /** After that diff, over the kernel's own output, which the page's Compare button compares with there. */
  'labbook.matrix.output': 'Its output on {{kernel}}:',
  /** The table that ends a chapter (proven-table.ts): its heading, columns and skipped cells. */
  'labbook.proven.title': 'Proven on',
  'labbook.proven.kernel': 'Kernel',
  'labbook.proven.recorded': 'Recorded',
  'labbook.proven.passed': 'Passed',
  'labbook.proven.skipped': 'Skipped',
  'labbook.proven.failed': 'Failed',
  'labbook.proven.notRecorded': 'Not recorded',
  'labbook.proven.skippedCells': '{{entry}}: skipped cells ({{count}}) and why',
  /** A line of that list, after the cell's id. */
  'labbook.proven.skippedCell': ': {{reason}}',
  /** The home page's line per kernel (components/ProvenOn.astro): the whole tutorial there. */
  'labbook.home.proven':
    'every cell of every chapter passed or was skipped ({{passed}} passed, {{skipped}} skipped); recorded on or after {{date}}',
  'labbook.home.notProven':
    'not proven: {{failed}} failed, {{notRecorded}} not recorded ({{passed}} passed, {{skipped}} skipped); recorded on or after {{date}}',
  'labbook.run': 'Run',
  /** Plays the recorded output in the live terminal, at the pace it came. */
  'labbook.replay': 'Replay',
  /** A data cell's raw snapshot, under its drawing; and why a snapshot could not be drawn. */
  'labbook.snapshot': 'The snapshot this is drawn from',
  /** Over the list of what a cell changed in the lab's kernel objects (cell-figure.ts changeList). */
  'labbook.change': 'What it changed in the kernel ({{count}})',
  /** Beside Run: the reader's run also takes snapshots of the lab's kernel objects. */
  'labbook.runChange': 'show what it changes in the kernel',
  'labbook.undrawable': 'cannot be drawn: {{why}}',
  'labbook.runHint': 'Start a runner with `sudo npx labbook serve` and open the link it prints.',
  /** Said on an https page (the published site), where the runner must allow its origin. */
  'labbook.live.runHintPublished':
    'Start a runner on your Linux machine or VM with `sudo npx labbook serve --allow-origin {{origin}}` and open the second link it prints; if the browser asks whether this site may reach devices on your local network, allow it: the runner listens on 127.0.0.1 only.',
  'labbook.live.output': 'Live output',
  'labbook.live.runAbove': 'Run all above',
  'labbook.live.interrupt': 'Interrupt (Ctrl-C)',
  'labbook.live.reset': 'Reset session',
  'labbook.live.compare': 'Compare with the recording',
  'labbook.live.replaying': 'replaying the recording, at the pace it came…',
  'labbook.live.replayStopped': 'replay stopped',
  'labbook.live.connecting': 'connecting to the runner…',
  'labbook.live.running': 'running…',
  'labbook.live.lost': 'lost the runner: reconnecting…',
  'labbook.live.newLink': 'the runner is gone or restarted: start it again and open the new link it prints',
  'labbook.live.same': 'Same as the recording, once PIDs, MACs, inodes and times are set aside.',
  'labbook.live.differs': 'Differences from the recording (− recorded, + this run):',
  /** Before either: whose recording it was, the runner's own entry of the matrix or the one the figure shows. */
  'labbook.live.comparedWith': 'Compared with the recording on {{kernel}}.',
  /** A drawing made again from the reader's live run: its title, said so. */
  'labbook.live.drawnLive': '{{title}} (drawn from your run)',
  /** Over what the reader's run changed in the kernel, under its terminal. */
  'labbook.live.change': 'What your run changed in the kernel ({{count}})',
};

export type StringKey = keyof typeof en;

const zhCN: Record<StringKey, string> = {
  'labbook.status.passed': '通过',
  'labbook.status.failed': '失败',
  'labbook.status.timed-out': '超时',
  'labbook.status.skipped': '已跳过',
  'labbook.status.error': '出错',
  'labbook.status.withReason': '{{status}}（{{reason}}）',
  'labbook.exit.code': '退出码 {{code}}',
  'labbook.exit.none': '无退出状态',
  'labbook.notRecorded': '尚未录制',
  'labbook.stale': '录制后源码已改动',
  'labbook.translationDiffers': '本译文的单元格与英文章节不一致（构建时会拒绝此页面）：',
  'labbook.verified': '已验证：',
  'labbook.notVerified': '未验证：',
  'labbook.original': '原文（此处不运行）',
  'labbook.output': '录制的输出',
  'labbook.recorded': '录制于',
  'labbook.matrix.others': '其他内核上的运行结果',
  'labbook.matrix.line': '{{kernel}}：{{verdict}}',
  'labbook.matrix.same': '输出相同',
  'labbook.matrix.sameStatus': '状态相同（不比较输出）',
  'labbook.matrix.differs': '有差异',
  'labbook.matrix.missing': '尚未在此内核上录制',
  'labbook.matrix.diffLegend': '以 - 开头的行是上方所示 {{main}} 的输出，以 + 开头的行是 {{other}} 的输出：',
  'labbook.matrix.output': '它在 {{kernel}} 上的输出：',
  'labbook.proven.title': '各内核上的验证结果',
  'labbook.proven.kernel': '内核',
  'labbook.proven.recorded': '录制日期',
  'labbook.proven.passed': '通过',
  'labbook.proven.skipped': '跳过',
  'labbook.proven.failed': '失败',
  'labbook.proven.notRecorded': '未录制',
  'labbook.proven.skippedCells': '{{entry}} 跳过的 {{count}} 个单元格及原因',
  'labbook.proven.skippedCell': '：{{reason}}',
  'labbook.home.proven':
    '所有章节的单元格均已通过或跳过（通过 {{passed}} 个，跳过 {{skipped}} 个）；均录制于 {{date}} 及以后',
  'labbook.home.notProven':
    '未通过验证：失败 {{failed}} 个，未录制 {{notRecorded}} 个（通过 {{passed}} 个，跳过 {{skipped}} 个）；均录制于 {{date}} 及以后',
  'labbook.run': '运行',
  'labbook.replay': '重放',
  'labbook.snapshot': '绘图所依据的快照',
  'labbook.change': '它在内核中改变了什么（{{count}} 项）',
  'labbook.runChange': '显示它在内核中改变了什么',
  'labbook.undrawable': '无法绘制：{{why}}',
  'labbook.runHint': '运行 `sudo npx labbook serve` 启动运行器，然后打开它输出的链接。',
  'labbook.live.runHintPublished':
    '在你的 Linux 机器或虚拟机上运行 `sudo npx labbook serve --allow-origin {{origin}}` 启动运行器，然后打开它输出的第二个链接。如果浏览器询问是否允许本网站访问本地网络中的设备，请选择允许（运行器只监听 127.0.0.1，其他机器无法访问它）。',
  'labbook.live.output': '实时输出',
  'labbook.live.runAbove': '运行上方所有单元格',
  'labbook.live.interrupt': '中断（Ctrl-C）',
  'labbook.live.reset': '重置会话',
  'labbook.live.compare': '与录制结果比较',
  'labbook.live.replaying': '正在按录制时的节奏重放录制结果…',
  'labbook.live.replayStopped': '已停止重放',
  'labbook.live.connecting': '正在连接运行器…',
  'labbook.live.running': '运行中…',
  'labbook.live.lost': '与运行器的连接已断开，正在重新连接…',
  'labbook.live.newLink': '运行器已停止或已重启，请重新启动它，并打开它输出的新链接',
  'labbook.live.same': '不计 PID、MAC 地址、inode 编号和时间的差别，与录制结果相同。',
  'labbook.live.differs': '与录制结果的差异（− 录制，+ 本次运行）：',
  'labbook.live.comparedWith': '比较对象为 {{kernel}} 上的录制结果。',
  'labbook.live.drawnLive': '{{title}}（根据你本次运行的结果绘制）',
  'labbook.live.change': '你本次运行在内核中改变了什么（{{count}} 项）',
};

/** The site's languages, by Starlight's `lang` of each locale (astro.config.mjs). */
export const STRINGS = { en, 'zh-CN': zhCN } satisfies Record<Language, Record<StringKey, string>>;
export type Lang = keyof typeof STRINGS;
export type Dictionaries = Record<Lang, Record<StringKey, string>>;

/**
 * A sentence of the page's language, its `{{name}}` filled in as i18next fills it (unescaped:
 * hast escapes); `lang` is that language, for words made elsewhere (a run's reason, reasons.ts).
 */
export type Translate = ((key: StringKey, vars?: Record<string, string | number>) => string) & { lang: Lang };

export function translator(dictionaries: Dictionaries, lang: Lang): Translate {
  const dictionary = dictionaries[lang];
  const t = (key: StringKey, vars: Record<string, string | number> = {}) =>
    (dictionary[key] ?? dictionaries.en[key] ?? key).replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name: string) =>
      name in vars ? String(vars[name]) : m,
    );
  return Object.assign(t, { lang });
}
