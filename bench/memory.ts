/**
 * The load test's memory, measured where it is measured: tests/load/load.test.ts itself, run
 * by vitest (whose worker holds more than a bare node process: its RSS grows twice as much),
 * twice in one run: on an idle machine, and with both cores busy (two spinning processes, as
 * when the rest of the suite runs beside it). From the line the test prints: how much RSS
 * stays once the 20 pages are gone (which depends on when V8 and malloc give memory back),
 * how much memory is still referenced after forced full collections, and the open file
 * descriptors. The test's bounds come from these.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { report } from './figure.ts';

interface Measured {
  rss: [number, number, number];
  referenced: [number, number, number];
  fds: [number, number, number];
  p99: number;
}

function loadTest(busy: boolean): Measured {
  const hogs: ChildProcess[] = busy
    ? [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }))
    : [];
  try {
    const r = spawnSync('npx', ['vitest', 'run', 'tests/load/load.test.ts'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const out = r.stdout + r.stderr;
    const numbers = (re: RegExp) => (re.exec(out)?.slice(1) ?? []).map(Number) as [number, number, number];
    const m = {
      rss: numbers(/RSS ([\d.]+) MiB at the start, ([\d.]+) at the peak, ([\d.]+) once the pages are gone/),
      referenced: numbers(/referenced after GC ([\d.]+) → ([\d.]+) with the page sessions held → ([\d.]+) MiB/),
      fds: numbers(/open fds (\d+) → (\d+) → (\d+)/),
      p99: Number(/p99 ([\d.]+) ms/.exec(out)?.[1]),
    };
    if (m.rss.length < 3 || m.referenced.length < 3) throw new Error(`the load test printed no figures:\n${out}`);
    console.error(`${busy ? 'busy' : 'idle'}: ${/\d+ pages, .*/.exec(out)?.[0]}`);
    if (r.status !== 0) console.error(`${busy ? 'busy' : 'idle'}: the load test failed:\n${out}`);
    return m;
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
}

const idle = loadTest(false);
const busy = loadTest(true);
const grew = (xs: [number, number, number]) => xs[2] - xs[0];
const held = (xs: [number, number, number]) => xs[1] - xs[0];

/** One figure, both cores busy against the same on an idle machine. */
function busyAgainstIdle(figure: string, of: (m: Measured) => number, unit: string, target: string): void {
  report({
    figure: `${figure}, both cores busy`,
    value: of(busy),
    anchor: 'same, idle machine',
    anchorValue: of(idle),
    unit,
    target,
  });
}

busyAgainstIdle(
  'load test: RSS that stays once 20 pages are gone',
  (m) => grew(m.rss),
  'MiB',
  'the test bounds it: < 48 MiB',
);
busyAgainstIdle('load test: RSS at the peak with 20 pages (growth)', (m) => held(m.rss), 'MiB', 'no target');
busyAgainstIdle(
  'load test: referenced after GC once the pages are gone (growth)',
  (m) => grew(m.referenced),
  'MiB',
  'the test bounds it: < 8 MiB',
);
busyAgainstIdle(
  'load test: referenced after GC by 20 detached page sessions (growth)',
  (m) => held(m.referenced),
  'MiB',
  'no target',
);
report({
  figure: 'load test: open file descriptors once the pages are gone, both cores busy',
  value: busy.fds[2],
  anchor: 'at the start',
  anchorValue: busy.fds[0],
  unit: 'fds',
  target: 'ratio <= 1: the test asks for it',
});
busyAgainstIdle('load test: cell latency p99', (m) => m.p99, 'ms', 'the test bounds it: < 1000 ms');
