/**
 * A named session whose shell was killed: the next cell of that session gets a new shell
 * in the same lab, as on its first use, rather than "the session ended" until a Reset.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { reasonText } from '../../src/cells/reasons.ts';
import { labLeftovers, labsStartedBy, parentOf } from '../host-state.ts';
import { Page, testRunner } from '../live/page-client.ts';

const FAULTS = new URL('../fixtures/faults.md', import.meta.url).pathname;
const catalog = loadCatalog([{ slug: 'faults', file: FAULTS }]);
const token = newToken();
const run = (id: string) => ({
  type: 'run',
  cell: id,
  hash: catalog.chapters.get('faults')?.cells.find((c) => c.id === id)?.hash,
});
let server: RunnerServer;
const leaderOf = (lab: string) => Number(lab.slice('labbook-'.length));
/** PTY masters this process holds: one per shell session of the runner it serves. */
function ptyMasters(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === '/dev/ptmx';
    } catch {
      return false;
    }
  }).length;
}

beforeAll(async () => {
  await sweepStaleLabs();
  server = await testRunner(catalog, token);
});
afterAll(() => server?.close());

it('restarts a named session whose shell was killed, on the next cell of that session', async () => {
  const page = await Page.open(server.port, { token, chapter: 'faults' });
  await page.next('ready');
  page.send(run('container-alive'));
  expect(await page.next('end')).toMatchObject({ cell: 'container-alive', status: 'passed' });
  const [lab] = labsStartedBy(process.pid);
  const procs = labLeftovers(lab as string)
    .filter((l) => l.startsWith('process '))
    .map((l) => Number(l.slice('process '.length)));
  const shell = procs.find((pid) => {
    try {
      return /NSpid:\t\d+\t\d+\t1\n/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  });
  expect(shell).toBeDefined();
  // The session's launcher (session.sh enter, then nsenter): the PTY's process, a child of
  // this process, in the lab's cgroup but not the lab's own leader.
  const launcher = procs.find((pid) => pid !== leaderOf(lab as string) && parentOf(pid) === process.pid);
  expect(launcher).toBeDefined();
  const before = ptyMasters();
  process.kill(shell as number, 'SIGKILL');
  // The runner knows the shell died once node-pty has both reaped the PTY's process and
  // closed its master (then it emits the exit, within a turn of the event loop), not before.
  await expect
    .poll(() => !existsSync(`/proc/${launcher}`) && ptyMasters() < before, { timeout: 15_000, interval: 20 })
    .toBe(true);
  for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
  page.send(run('container-alive'));
  const end = await page.next('end');
  expect(end, reasonText(end)).toMatchObject({ cell: 'container-alive', status: 'passed' });
  expect(page.output()).toContain('container alive as PID 1');
  page.close();
}, 60_000);
