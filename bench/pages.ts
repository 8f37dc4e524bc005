/**
 * Pages driving a runner, for the benchmarks (bench/live.ts, bench/load.ts) and the load test
 * (tests/load/): `labbook serve` started as a user starts it, a page session that runs one
 * cell again and again and times each run, and the numbers they are summed up by.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';

const ORIGIN = 'http://127.0.0.1:4321';
const labbook = new URL('../runner/bin/labbook.js', import.meta.url).pathname;

export interface Runner {
  port: number;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `labbook serve CHAPTER --port 0 [--allow-origin ORIGIN]` in a child process; resolves once it printed its link. */
export async function startServe(chapter: string, allowOrigin?: string): Promise<Runner> {
  const origin = allowOrigin ? ['--allow-origin', allowOrigin] : [];
  const child = spawn(process.execPath, [labbook, 'serve', chapter, '--port', '0', ...origin], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const link = await new Promise<string>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(d.toString())));
  const [, port, token] = /runner=127\.0\.0\.1:(\d+)&token=(\S+)/.exec(link) ?? [];
  if (!port || !token) throw new Error(`labbook serve printed no link: ${link}`);
  return {
    port: Number(port),
    token,
    child,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface PageRuns {
  /** Run message to the first output message, per run, in ms. */
  firstByte: number[];
  /** Run message to the end message, per run, in ms. */
  whole: number[];
  /** End messages whose status was not "passed", and error messages. */
  failures: string[];
}

export interface PageOptions {
  port: number;
  token: string;
  chapter: string;
  cell: { id: string; hash: string };
  /** Runs after the first (which makes the lab and is not timed); or run until `untilMs`. */
  count?: number;
  /** performance.now() at which to stop starting runs. */
  untilMs?: number;
  /** Pause between runs, jittered between 0.5x and 1.5x, as readers do not press in step. */
  pauseMs?: number;
}

/** A page: connects, says hello, runs the cell once to make its lab, then runs and times it. */
export async function pageSession(o: PageOptions): Promise<PageRuns> {
  const ws = new WebSocket(`ws://127.0.0.1:${o.port}/session`, { headers: { Origin: ORIGIN } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const failures: string[] = [];
  let waiting: { type: string; resolve: () => void } | undefined;
  ws.on('message', (d: Buffer) => {
    const m = JSON.parse(d.toString());
    if (m.type === 'error') failures.push(m.message);
    if (m.type === 'end' && m.status !== 'passed') failures.push(`${m.cell}: ${m.status} ${m.reason ?? ''}`);
    if (waiting && waiting.type === m.type) {
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  const next = (type: string) => new Promise<void>((resolve) => (waiting = { type, resolve }));
  const run = JSON.stringify({ type: 'run', cell: o.cell.id, hash: o.cell.hash });
  const ready = next('ready');
  // A page of its own, with its id as the site's client makes one per page load.
  const page = randomBytes(16).toString('hex');
  ws.send(JSON.stringify({ type: 'hello', version: 1, token: o.token, chapter: o.chapter, page }));
  await ready;
  const made = next('end');
  ws.send(run);
  await made;
  const firstByte: number[] = [];
  const whole: number[] = [];
  const more = (i: number) => (o.untilMs === undefined ? i < (o.count ?? 0) : performance.now() < o.untilMs);
  for (let i = 0; more(i); i++) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      let first = true;
      const onOutput = (d: Buffer) => {
        if (first && JSON.parse(d.toString()).type === 'output') {
          first = false;
          firstByte.push(performance.now() - t);
        }
      };
      ws.on('message', onOutput);
      next('end').then(() => {
        ws.off('message', onOutput);
        resolve();
      });
      ws.send(run);
    });
    whole.push(performance.now() - t);
    if (o.pauseMs) await new Promise((r) => setTimeout(r, (o.pauseMs as number) * (0.5 + Math.random())));
  }
  const closed = new Promise((r) => ws.once('close', r));
  ws.close();
  await closed;
  return { firstByte, whole, failures };
}

/** The p-th percentile (0..100) by the nearest-rank method: a value that was measured. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
}

/** Resident memory of a process, in MiB. */
export function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}
