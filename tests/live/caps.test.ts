/**
 * The runner's caps on page sessions (runner/server/server.ts): a page that opens more than
 * its cap is refused with a message saying what to do; a runner at its cap closes a detached
 * page session (the one waiting longest) to make room; at its cap with none detached it
 * refuses, saying so. Refusals come as an `error` message, then the close code
 * TRY_AGAIN_LATER with the same sentence.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { TRY_AGAIN_LATER } from '../../src/protocol/messages.ts';
import { labLeftovers, labsStartedBy } from '../host-state.ts';
import { Page, testRunner } from './page-client.ts';

const catalog = loadCatalog([{ slug: 'live', file: new URL('../fixtures/live.md', import.meta.url).pathname }]);
const builtin = catalog.chapters.get('live')?.cells.find((c) => c.id === 'builtin') ?? expect.unreachable();
const token = newToken();
/** A page load's id, as the site's client makes one. */
const pageId = () => randomBytes(16).toString('hex');
const servers: RunnerServer[] = [];
/** Pages a test opened, closed after the file. */
const pages: Page[] = [];

beforeAll(() => sweepStaleLabs());
afterAll(async () => {
  for (const p of pages) p.close();
  await Promise.all(servers.map((s) => s.close()));
});

/** A runner with these caps whose detached page sessions wait longer than any test. */
async function runner(maxPageSessions: number, maxPageSessionsPerPage: number): Promise<RunnerServer> {
  const server = await testRunner(catalog, token, {
    detachedGraceMs: 600_000,
    maxPageSessions,
    maxPageSessionsPerPage,
  });
  servers.push(server);
  return server;
}

/** A connection of this page (and this page session, to reattach), after the runner answered. */
async function open(server: RunnerServer, page?: string, session?: string): Promise<Page> {
  const p = await Page.open(server.port, { token, chapter: 'live', page, session });
  pages.push(p);
  await expect.poll(() => p.messages.length > 0 || !!p.closed, { timeout: 15_000 }).toBe(true);
  return p;
}

/** The page was refused: an error message, then TRY_AGAIN_LATER with the same sentence. */
async function expectRefused(p: Page, sentence: RegExp): Promise<void> {
  const { message } = await p.next('error');
  expect(message).toMatch(sentence);
  expect(await p.closedWith()).toEqual({ code: TRY_AGAIN_LATER, reason: message });
  expect(p.messages).toEqual([]);
}

/** Leaves, and waits until the runner saw it: its page session is detached. */
async function leave(server: RunnerServer, p: Page): Promise<void> {
  const detached = server.pageSessionCount('detached');
  p.close();
  await p.closedWith();
  await expect.poll(() => server.pageSessionCount('detached'), { timeout: 10_000 }).toBe(detached + 1);
}

describe('the cap per page', () => {
  it('refuses a page that opens more, saying what to do; another page is still served', async () => {
    const server = await runner(10, 2);
    const page = pageId();
    for (let i = 0; i < 2; i++) expect((await open(server, page)).messages[0]).toMatchObject({ type: 'ready' });
    const third = await open(server, page);
    await expectRefused(
      third,
      /^this page already has 2 connections to the runner, the most for one page: reload the page to start again$/,
    );
    expect(server.pageSessionCount()).toBe(2);
    expect((await open(server, pageId())).messages[0]).toMatchObject({ type: 'ready' });
    // A connection that says no page is a page of its own.
    expect((await open(server)).messages[0]).toMatchObject({ type: 'ready' });
    expect(server.pageSessionCount()).toBe(4);
  });

  it("closes the page's own detached page session first", async () => {
    const server = await runner(10, 1);
    const page = pageId();
    const first = await open(server, page);
    const { session } = await first.next('ready');
    await leave(server, first);
    const second = await open(server, page);
    expect(await second.next('ready')).toMatchObject({ resumed: false });
    expect(server.pageSessionCount()).toBe(1);
    // The first is gone: asking for it again makes a page session of another page.
    const back = await open(server, pageId(), session);
    expect(await back.next('ready')).toMatchObject({ resumed: false });
  });
});

describe('the cap per runner', () => {
  it('closes the detached page session that waited longest, and its lab, to make room', async () => {
    const server = await runner(3, 4);
    const labsBefore = labsStartedBy(process.pid);
    const [a, b, c] = [await open(server, pageId()), await open(server, pageId()), await open(server, pageId())];
    const ids = await Promise.all([a, b, c].map(async (p) => (await p.next('ready')).session));
    // The first page runs a cell: its page session has a lab that must go with it.
    a.send({ type: 'run', cell: builtin.id, hash: builtin.hash });
    expect(await a.next('end')).toMatchObject({ status: 'passed' });
    const [lab] = labsStartedBy(process.pid).filter((l) => !labsBefore.includes(l));
    expect(lab).toBeDefined();
    await leave(server, a);
    await leave(server, b);
    const d = await open(server, pageId());
    expect(await d.next('ready')).toMatchObject({ resumed: false });
    expect(server.pageSessionCount()).toBe(3);
    await expect.poll(() => labLeftovers(lab as string), { timeout: 15_000 }).toEqual([]);
    // The second page, detached later, kept its page session and comes back to it.
    const bAgain = await open(server, undefined, ids[1]);
    expect(await bAgain.next('ready')).toMatchObject({ session: ids[1], resumed: true });
  });

  it('refuses a new page when every page session is attached, saying so', async () => {
    const server = await runner(2, 4);
    for (let i = 0; i < 2; i++) expect((await open(server, pageId())).messages[0]).toMatchObject({ type: 'ready' });
    await expectRefused(
      await open(server, pageId()),
      /^the runner is full: 2 pages are using it, its most; close a tab that uses it, then press Run again$/,
    );
    expect(server.pageSessionCount()).toBe(2);
  });

  it('keeps its caps as given, whole numbers of at least 1', async () => {
    await expect(runner(0, 4)).rejects.toThrow(/maxPageSessions must be a whole number of at least 1, not 0/);
    await expect(runner(4, 1.5)).rejects.toThrow(/maxPageSessionsPerPage must be a whole number/);
  });
});
