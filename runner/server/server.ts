/**
 * `labbook serve`: HTTP and WebSocket on 127.0.0.1, one lab per page session (page-session.ts
 * says what that is, and what a shell session is).
 *
 *   GET  /status   (Authorization: Bearer TOKEN) → { version, target, chapters, allowEdit }
 *   GET  /session  WebSocket upgrade; the first message is a hello carrying the token, which
 *                  makes a page session or reattaches to one (the path keeps its version 1 name)
 *
 * Every request passes the Host allowlist; every upgrade passes the exact Origin allowlist
 * before the handshake; the token is checked on every request and WebSocket.
 *
 * The runner holds at most `maxPageSessions` page sessions, and at most
 * `maxPageSessionsPerPage` of one page (by the hello's `page` id). A hello that needs a new
 * page session beyond either cap first closes detached page sessions (those waiting for their
 * page to come back, longest waiting first); if that is not enough it is refused with an
 * `error` message saying what to do, and the close code TRY_AGAIN_LATER.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  HELLO_DEADLINE_MS,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
  TRY_AGAIN_LATER,
} from '../../src/protocol/messages.ts';
import type { Target } from '../target.ts';
import { type Catalog, lookUp } from './catalog.ts';
import { MAX_PAGE_SESSIONS, MAX_PAGE_SESSIONS_PER_PAGE, PageSession } from './page-session.ts';
import { baseHeaders, bearerToken, hostAllowed, originAllowed, tokenMatches } from './security.ts';

export interface ServeOptions {
  port: number;
  token: string;
  origins: ReadonlySet<string>;
  allowEdit: boolean;
  catalog: Catalog;
  /** Where the pages' labs run. */
  target: Target;
  /** How long a page's lab waits for its page to reconnect (default DETACHED_GRACE_MS). */
  detachedGraceMs?: number;
  /** Most page sessions the runner holds at once, attached or detached (default MAX_PAGE_SESSIONS, 20). */
  maxPageSessions?: number;
  /** Most page sessions of one page at once (default MAX_PAGE_SESSIONS_PER_PAGE, 4). */
  maxPageSessionsPerPage?: number;
}

export interface RunnerServer {
  port: number;
  /**
   * Page sessions the runner holds: attached to their page, waiting for it to come back
   * (detached), or both (the default).
   */
  pageSessionCount(which?: 'attached' | 'detached'): number;
  close(): Promise<void>;
}

const PING_MS = 20_000;
/** RFC 6455 allows 123 bytes of close reason; `ws` throws on more, from inside an event handler. */
const MAX_REASON_BYTES = 123;

/** Closes with this code (policy, or try again later) and a reason cut to whole characters within the limit. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  let cut = reason;
  while (Buffer.byteLength(cut) > MAX_REASON_BYTES) cut = [...cut].slice(0, -1).join('');
  ws.close(code, cut);
}

/** A cap of ServeOptions: a whole number of at least 1. */
function cap(value: number | undefined, fallback: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${n}`);
  return n;
}

export async function serve(options: ServeOptions): Promise<RunnerServer> {
  const { token, origins, catalog } = options;
  const maxPageSessions = cap(options.maxPageSessions, MAX_PAGE_SESSIONS, 'maxPageSessions');
  const perPage = cap(options.maxPageSessionsPerPage, MAX_PAGE_SESSIONS_PER_PAGE, 'maxPageSessionsPerPage');
  const pageSessions = new Map<string, PageSession>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  let port = options.port;

  const http: Server = createServer((req, res) => {
    const origin = req.headers.origin;
    baseHeaders(res, origin, origins);
    if (!hostAllowed(req.headers.host, port)) return void res.writeHead(403).end('forbidden host\n');
    if (origin && !originAllowed(origin, origins)) return void res.writeHead(403).end('forbidden origin\n');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (req.method !== 'GET' || req.url !== '/status') return void res.writeHead(404).end('not found\n');
    if (!tokenMatches(bearerToken(req), token)) return void res.writeHead(401).end('a valid token is required\n');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        version: PROTOCOL_VERSION,
        target: options.target.name,
        chapters: [...catalog.chapters.keys()],
        allowEdit: options.allowEdit,
      }),
    );
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req.headers.host, port)) return refuse('403 Forbidden');
    if (!originAllowed(req.headers.origin, origins)) return refuse('403 Forbidden');
    if (req.url !== '/session') return refuse('404 Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => greet(ws));
  });

  /** The first message must be a hello with the token, within the deadline. */
  function greet(ws: WebSocket): void {
    const close = (reason: string) => closeWith(ws, 1008, reason);
    const deadline = setTimeout(() => close('no hello in time'), HELLO_DEADLINE_MS);
    // A protocol error (an oversized frame) closes this connection, never the runner.
    ws.on('error', () => ws.terminate());
    keepAlive(ws);
    ws.once('message', (data, isBinary) => {
      clearTimeout(deadline);
      const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseClientMessage(data.toString());
      if (!parsed.ok) return close(parsed.reason);
      const hello = parsed.message;
      if (hello.type !== 'hello') return close('the first message must be hello');
      if (!tokenMatches(hello.token, token)) return close('a valid token is required');
      if (!catalog.chapters.has(hello.chapter))
        return close(`the runner does not serve the chapter "${hello.chapter}"`);
      let pageSession = hello.session ? pageSessions.get(hello.session) : undefined;
      if (pageSession?.attached) return close('this page session already has a client');
      if (pageSession && pageSession.chapter !== hello.chapter) pageSession = undefined;
      const resumed = !!pageSession;
      if (!pageSession) {
        const refusal = makeRoom(hello.page);
        if (refusal) {
          ws.send(JSON.stringify({ type: 'error', message: refusal } satisfies ServerMessage));
          return closeWith(ws, TRY_AGAIN_LATER, refusal);
        }
        pageSession = new PageSession(hello.chapter, options.target, end, options.detachedGraceMs);
        pageSessions.set(pageSession.id, pageSession);
      }
      attach(ws, pageSession, hello.page, resumed);
    });
  }

  /** Forgets a page session and closes it with its lab (its grace period is over, or room is needed). */
  function end(pageSession: PageSession): void {
    pageSessions.delete(pageSession.id);
    void pageSession.close();
  }

  /**
   * Room for one more page session of this page: detached page sessions are closed, longest
   * waiting first, the page's own first, as far as the caps need. Nothing is closed when that
   * would not be enough: then the sentence that refuses the hello (short enough for a close
   * frame) is returned.
   */
  function makeRoom(page: string | undefined): string | undefined {
    const all = [...pageSessions.values()];
    const detached = (among: PageSession[]) =>
      among.filter((s) => !s.attached).sort((a, b) => (a.detachedAt ?? 0) - (b.detachedAt ?? 0));
    const own = page ? all.filter((s) => s.page === page) : [];
    const closing = detached(own).slice(0, Math.max(0, own.length + 1 - perPage));
    if (own.length + 1 - closing.length > perPage) {
      return `this page already has ${perPage} connection${perPage === 1 ? '' : 's'} to the runner, the most for one page: reload the page to start again`;
    }
    const excess = all.length + 1 - closing.length - maxPageSessions;
    const others = detached(all.filter((s) => !closing.includes(s)));
    if (excess > others.length) {
      return `the runner is full: ${maxPageSessions === 1 ? 'a page is' : `${maxPageSessions} pages are`} using it, its most; close a tab that uses it, then press Run again`;
    }
    closing.push(...others.slice(0, Math.max(0, excess)));
    for (const s of closing) end(s);
    return undefined;
  }

  function attach(ws: WebSocket, pageSession: PageSession, page: string | undefined, resumed: boolean): void {
    pageSession.attach(ws, page);
    const reply = (m: ServerMessage) => ws.send(JSON.stringify(m));
    reply({
      type: 'ready',
      session: pageSession.id,
      chapter: pageSession.chapter,
      target: options.target.name,
      resumed,
    });
    ws.on('message', (data, isBinary) => {
      const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseClientMessage(data.toString());
      if (!parsed.ok) return closeWith(ws, 1008, parsed.reason);
      const m = parsed.message;
      switch (m.type) {
        case 'hello':
          return closeWith(ws, 1008, 'hello was already said');
        case 'run': {
          const found = lookUp(catalog, pageSession.chapter, m, options.allowEdit);
          if (!found.ok) return reply({ type: 'error', message: found.reason });
          return void pageSession.run(found.chapter, found.cell, found.code, m.change === true);
        }
        case 'interrupt':
          return void pageSession.interrupt();
        case 'reset':
          return void pageSession.reset();
        case 'ack':
          return pageSession.ack(m.bytes);
        case 'resize':
          return pageSession.resize(m.cols, m.rows);
      }
    });
    ws.on('close', () => pageSession.detach(ws));
  }

  function keepAlive(ws: WebSocket): void {
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    const timer = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, PING_MS);
    ws.on('close', () => clearInterval(timer));
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;

  return {
    port,
    pageSessionCount(which) {
      const all = [...pageSessions.values()];
      if (!which) return all.length;
      return all.filter((s) => s.attached === (which === 'attached')).length;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all([...pageSessions.values()].map((s) => s.close()));
      pageSessions.clear();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
