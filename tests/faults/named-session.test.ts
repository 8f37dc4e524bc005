/**
 * A named session whose shell was killed: the next cell of that session gets a new shell
 * in the same lab, as on its first use, rather than "the session ended" until a Reset.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import { type RunnerServer, serve } from '../../runner/server/server.ts';
import { LOCAL } from '../../runner/target.ts';
import { labLeftovers, labsStartedBy } from '../host-state.ts';
import { Page, SITE } from '../live/page-client.ts';

const FAULTS = new URL('../fixtures/faults.md', import.meta.url).pathname;
const catalog = loadCatalog([{ slug: 'faults', file: FAULTS }]);
const token = newToken();
const run = (id: string) => ({
  type: 'run',
  cell: id,
  hash: catalog.chapters.get('faults')?.cells.find((c) => c.id === id)?.hash,
});
let server: RunnerServer;

beforeAll(async () => {
  await sweepStaleLabs();
  server = await serve({ port: 0, token, origins: new Set([SITE]), allowEdit: false, catalog, target: LOCAL });
});
afterAll(() => server?.close());

it('restarts a named session whose shell was killed, on the next cell of that session', async () => {
  const page = await Page.open(server.port, { token, chapter: 'faults' });
  await page.next('ready');
  page.send(run('container-alive'));
  expect(await page.next('end')).toMatchObject({ cell: 'container-alive', status: 'passed' });
  const [lab] = labsStartedBy(process.pid);
  const procs = labLeftovers(lab as string).filter((l) => l.startsWith('process '));
  const shell = procs
    .map((l) => Number(l.slice('process '.length)))
    .find((pid) => {
      try {
        return /NSpid:\t\d+\t\d+\t1\n/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return false;
      }
    });
  expect(shell).toBeDefined();
  process.kill(shell as number, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  page.send(run('container-alive'));
  const end = await page.next('end');
  expect(end, end.reason).toMatchObject({ cell: 'container-alive', status: 'passed' });
  expect(page.output()).toContain('container alive as PID 1');
  page.close();
}, 60_000);
