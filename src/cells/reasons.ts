/**
 * Why a run of a cell did not pass, as its recording holds it: data, not a sentence, so that
 * each language of the site says it in its own words when a page is built (and the live client
 * when a run ends), and the CLI in English, all through reasonText. A cell's recording has at
 * most one of these fields, after its status:
 *
 *   skipped    "missing": "ipvlan"          needs ipvlan, but this kernel lacks ipvlan
 *                                           需要 ipvlan，但此内核没有 ipvlan
 *   error      "labEndedIn": "kills-lab"    not run: the lab ended during the cell "kills-lab"
 *                                           未运行：lab 在单元格 kills-lab 运行时已经结束
 *   timed-out  "timeoutMs": 2000            timed out after 2 s
 *   failed     "expectedExit": 0            exit status 1, expected 0 (the 1 is its exitCode)
 *   error      "sessionEnded": "lab"        the session "lab" ended, and the lab with it
 *   error      "message": "..."             the runner's own words, as they are (a session that
 *                                           did not start, a target that is gone: English only)
 *
 * What a missing capability means is capabilities.ts's (skipReason).
 */
import { type Capability, type Language, skipReason } from './capabilities.ts';

export interface Reason {
  /** A skip: the capability of requires= that the target lacks (capabilities.ts). */
  missing?: Capability;
  /** Not run: the lab ended during that earlier cell, and every later cell needs its state. */
  labEndedIn?: string;
  /** Timed out: the cell's timeout on that target, in ms. */
  timeoutMs?: number;
  /** Failed: the exit status the cell expected (exit=), beside the one it had (exitCode). */
  expectedExit?: number;
  /** In error: the session the cell ran in ended under it. */
  sessionEnded?: string;
  /** In error: what the runner said, in its words (English), for what it cannot say otherwise. */
  message?: string;
}

/** The fields of a Reason, in the order a recording has them. */
export const REASON_FIELDS = [
  'missing',
  'labEndedIn',
  'timeoutMs',
  'expectedExit',
  'sessionEnded',
  'message',
] as const satisfies readonly (keyof Reason)[];

/**
 * The lab's own shell, schema.ts's DEFAULT_SESSION, whose end is the lab's (not imported from
 * there: that module would bring zod to the page's client; a unit test holds the two equal).
 */
export const LAB_SESSION = 'lab';

/** The sentence of each kind of reason, in each language. */
const SAY: Record<
  Language,
  {
    labEnded: (cell: string) => string;
    timedOut: (seconds: number) => string;
    exit: (code: number | null, expected: number) => string;
    sessionEnded: (session: string, andLab: boolean) => string;
    message: (message: string) => string;
  }
> = {
  en: {
    labEnded: (cell) => `not run: the lab ended during the cell "${cell}"`,
    timedOut: (s) => `timed out after ${s} s`,
    exit: (code, expected) => `exit status ${code ?? 'none'}, expected ${expected}`,
    sessionEnded: (session, andLab) => `the session "${session}" ended${andLab ? ', and the lab with it' : ''}`,
    message: (m) => m,
  },
  'zh-CN': {
    labEnded: (cell) => `未运行：lab 在单元格 ${cell} 运行时已经结束`,
    timedOut: (s) => `运行超过了 ${s} 秒的时限`,
    exit: (code, expected) => `退出码为 ${code ?? '无'}，应为 ${expected}`,
    sessionEnded: (session, andLab) => `会话 ${session} 已经结束${andLab ? '，lab 也随之结束' : ''}`,
    message: (m) => `运行器报告：${m}`,
  },
};

/** Just the reason of a run (a recorded cell, a runner's result), for the live client's end message. */
export function reasonOf(run: Reason): Reason {
  return Object.fromEntries(REASON_FIELDS.filter((f) => run[f] !== undefined).map((f) => [f, run[f]])) as Reason;
}

/** Why a run did not pass, in a language (English by default: the CLI's); undefined: it has no reason. */
export function reasonText(run: Reason & { exitCode?: number | null }, lang: Language = 'en'): string | undefined {
  const say = SAY[lang];
  if (run.missing !== undefined) return skipReason(run.missing, lang);
  if (run.labEndedIn !== undefined) return say.labEnded(run.labEndedIn);
  if (run.timeoutMs !== undefined) return say.timedOut(run.timeoutMs / 1000);
  if (run.expectedExit !== undefined) return say.exit(run.exitCode ?? null, run.expectedExit);
  if (run.sessionEnded !== undefined) return say.sessionEnded(run.sessionEnded, run.sessionEnded === LAB_SESSION);
  if (run.message !== undefined) return say.message(run.message);
  return undefined;
}
