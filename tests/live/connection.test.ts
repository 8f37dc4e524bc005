/**
 * The page's connection (src/live/client/connection.ts) against a real runner, with the
 * browser's WebSocket and sessionStorage stood in for: every hello carries the page's id, so
 * the runner's cap per page holds for the connections of one page load; a refusal for lack of
 * room is shown as the runner's sentence (an error message), not as a runner that is gone, and
 * the waiting Run is let go; the next Run asks again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { Connection, type ConnectionState } from '../../src/live/client/connection.ts';
import type { ServerMessage } from '../../src/protocol/messages.ts';
import { SITE, testRunner } from './page-client.ts';

/** The browser's WebSocket as a page on the site has it: its Origin is the site's. */
class PageWebSocket extends NodeWebSocket {
  constructor(url: string) {
    super(url, { headers: { Origin: SITE } });
  }
}

const stored = new Map<string, string>();
const sessionStorage = {
  getItem: (k: string) => stored.get(k) ?? null,
  setItem: (k: string, v: string) => void stored.set(k, v),
  removeItem: (k: string) => void stored.delete(k),
};
Object.assign(globalThis, { WebSocket: PageWebSocket, sessionStorage });

const catalog = loadCatalog([{ slug: 'live', file: new URL('../fixtures/live.md', import.meta.url).pathname }]);
const token = newToken();
const servers: RunnerServer[] = [];

afterAll(() => Promise.all(servers.map((s) => s.close())));

async function runner(maxPageSessions: number, maxPageSessionsPerPage: number): Promise<RunnerServer> {
  const server = await testRunner(catalog, token, { maxPageSessions, maxPageSessionsPerPage });
  servers.push(server);
  return server;
}

/** A connection of this page load, with what it told the page. */
function connection(server: RunnerServer) {
  const messages: ServerMessage[] = [];
  const states: ConnectionState[] = [];
  const link = { address: `127.0.0.1:${server.port}`, token };
  const conn = new Connection(
    link,
    'live',
    (m) => messages.push(m),
    (s) => states.push(s),
  );
  return { conn, messages, states };
}

describe("the page's connection", () => {
  beforeAll(() => stored.clear());

  it('says which page it is: a second connection of the page beyond its cap is refused, with the sentence', async () => {
    const server = await runner(10, 1);
    const first = connection(server);
    await first.conn.whenReady();
    expect(first.messages[0]).toMatchObject({ type: 'ready', resumed: false });
    stored.clear(); // as in another tab of the same page load: no page session to reattach to
    const second = connection(server);
    await second.conn.whenReady();
    await expect
      .poll(() => second.messages, { timeout: 10_000 })
      .toEqual([
        {
          type: 'error',
          message:
            'this page already has 1 connection to the runner, the most for one page: reload the page to start again',
        },
      ]);
    expect(second.states).not.toContain('gone');
    expect(server.pageSessionCount()).toBe(1);
  });

  it('shows a full runner as its sentence, not as a runner gone, and asks again on the next Run', async () => {
    const server = await runner(1, 4);
    const first = connection(server);
    await first.conn.whenReady();
    stored.clear();
    const second = connection(server);
    const full = {
      type: 'error',
      message: 'the runner is full: a page is using it, its most; close a tab that uses it, then press Run again',
    };
    await second.conn.whenReady();
    await expect.poll(() => second.messages, { timeout: 10_000 }).toEqual([full]);
    await second.conn.whenReady();
    await expect.poll(() => second.messages, { timeout: 10_000 }).toEqual([full, full]);
    expect(second.states).toEqual(['connecting', 'connecting']);
  });

  it('lets a waiting Run go when the runner is gone (a wrong token), saying why', async () => {
    const server = await runner(10, 4);
    stored.clear();
    const messages: ServerMessage[] = [];
    const states: ConnectionState[] = [];
    const why: string[] = [];
    const conn = new Connection(
      { address: `127.0.0.1:${server.port}`, token: 'not-the-token' },
      'live',
      (m) => messages.push(m),
      (s, reason) => {
        states.push(s);
        if (reason) why.push(reason);
      },
    );
    await expect(conn.whenReady()).rejects.toThrow(/token/);
    expect(states).toEqual(['connecting', 'gone']);
    expect(why.join()).toMatch(/token/);
  });
});
