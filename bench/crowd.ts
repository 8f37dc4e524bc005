/**
 * A crowd of pages on a runner served in this process, for the load test (tests/load/) and
 * its memory bench (bench/memory.ts), so that the bench measures what the test bounds: one
 * page first (so that the code of every path is loaded), then PAGES pages at once, each running
 * a cell about every 100 ms until a deadline, each in a lab of its own; then the pages leave,
 * their page sessions expire, their labs close. Memory is read at each step, as the process
 * sees it (RSS, which depends on when V8 collects and gives pages back) and after a forced
 * full collection (heap and external memory: what is still referenced).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { RunnerServer } from '../runner/server/server.ts';
import { labLeftovers, labsStartedBy } from '../tests/host-state.ts';
import { type PageRuns, pageSession } from './pages.ts';

setFlagsFromString('--expose-gc');
/** V8's full collection, without starting node with --expose-gc (vitest starts its workers). */
const gc = runInNewContext('gc') as () => void;

const mib = (bytes: number) => bytes / 2 ** 20;
export const rss = () => mib(process.memoryUsage().rss);
/** This process's open file descriptors: each PTY and socket of a page session holds some. */
export const openFds = () => readdirSync('/proc/self/fd').length;

/** Memory still referenced after full collections: V8's heap in use and its external memory (buffers). */
export function referenced(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return mib(m.heapUsed + m.external);
}

async function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What is left of these labs, in a line: per lab, its cgroup directories and its processes. */
export function leftovers(labs: string[]): string {
  return labs
    .map((lab) => {
      const left = labLeftovers(lab);
      if (!left.length) return '';
      const procs = left.filter((l) => l.startsWith('process '));
      const shown = procs.slice(0, 5).map((l) => {
        const pid = l.slice('process '.length);
        const stat = safeRead(`/proc/${pid}/stat`);
        return `${pid} ${stat.slice(stat.indexOf('(')).split(' ').slice(0, 2).join(' ')}`;
      });
      const leader = safeRead(`/proc/${lab.slice('labbook-'.length)}/stat`) ? 'leader alive' : 'leader gone';
      return `${lab} (${leader}): ${left.length - procs.length} cgroup dirs, ${procs.length} processes ${shown.join(', ')}`;
    })
    .filter(Boolean)
    .join('; ');
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface CrowdOptions {
  server: RunnerServer;
  token: string;
  chapter: string;
  cell: { id: string; hash: string };
  pages: number;
  durationMs: number;
  /** The server's detachedGraceMs: how long the pages' labs outlive them. */
  graceMs: number;
}

export interface Crowd {
  runs: PageRuns[];
  /** Every lab the pages had, seen while they ran. */
  labs: string[];
  /**
   * What the labs' own close left, as leftovers() says it (empty: nothing). A close gives up
   * on a lab's cgroups after 5 s of its processes still dying (a busy machine); the next
   * start's sweep removes them.
   */
  leftByClose: string;
  /**
   * MiB: after the first page is gone, the highest while the crowd ran, once the crowd's labs
   * are gone, and then after full collections (`afterGc`; `start` is after them too).
   */
  rss: { start: number; peak: number; end: number; afterGc: number };
  /**
   * MiB referenced after full collections: after the first page is gone; when the crowd has
   * left but its page sessions and labs are still held (detached); once they are gone.
   */
  referenced: { start: number; held: number; end: number };
  /**
   * Open file descriptors after the first page is gone, while the crowd's page sessions are
   * held, and once they are gone (waited for, up to 10 s, to be back to the start: a child's
   * pipes may close a little after it ended); `left` names those beyond the start.
   */
  fds: { start: number; held: number; end: number; left: string[] };
}

/** Waits for `done`, up to `timeoutMs`; says whether it came. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

const fdTargets = () =>
  readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '(closed)';
    }
  });

export async function crowd(o: CrowdOptions): Promise<Crowd> {
  const page = (count: number, untilMs?: number) =>
    pageSession({
      port: o.server.port,
      token: o.token,
      chapter: o.chapter,
      cell: o.cell,
      count,
      untilMs,
      pauseMs: 100,
    });
  const gone = (labs: string[]) => () => o.server.pageSessionCount() === 0 && !labs.flatMap(labLeftovers).length;

  const first = page(5);
  const firstLabs = new Set<string>();
  await until(
    () => {
      for (const l of labsStartedBy(process.pid)) firstLabs.add(l);
      return firstLabs.size > 0;
    },
    20_000,
    () => "the first page's lab",
  );
  await first;
  await waitFor(gone([...firstLabs]), o.graceMs + 15_000);
  const startReferenced = referenced();
  const startFds = fdTargets();
  const start = { rss: rss(), referenced: startReferenced, fds: startFds.length };

  let peak = start.rss;
  let labs: string[] = [];
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
    labs = [...new Set([...labs, ...labsStartedBy(process.pid)])];
  }, 250);
  const until_ = performance.now() + o.durationMs;
  const runs = await Promise.all(Array.from({ length: o.pages }, () => page(0, until_))).finally(() =>
    clearInterval(sampler),
  );
  // The pages have closed their connections; their page sessions wait for them (graceMs).
  const allHeld = o.server.pageSessionCount() === o.pages;
  const held = { referenced: allHeld ? referenced() : Number.NaN, fds: allHeld ? openFds() : Number.NaN };

  await until(
    () => o.server.pageSessionCount() === 0,
    o.graceMs + 10_000,
    () => `the page sessions to expire (${o.server.pageSessionCount()} left)`,
  );
  await waitFor(gone(labs), 15_000);
  const leftByClose = leftovers(labs);
  const end = rss();
  const endReferenced = referenced();
  await waitFor(() => openFds() <= start.fds, 10_000);
  const endFds = fdTargets();
  const left = [...endFds];
  for (const t of startFds) left.splice(left.indexOf(t), left.includes(t) ? 1 : 0);
  return {
    runs,
    labs,
    leftByClose,
    rss: { start: start.rss, peak, end, afterGc: rss() },
    referenced: { start: start.referenced, held: held.referenced, end: endReferenced },
    fds: { start: start.fds, held: held.fds, end: endFds.length, left },
  };
}
