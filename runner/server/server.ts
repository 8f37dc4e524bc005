/**
 * `labbook serve`: HTTP and WebSocket on 127.0.0.1, one lab per page session.
 *
 *   GET  /status   (Authorization: Bearer TOKEN) → { version, target, chapters, allowEdit }
 *   GET  /session  WebSocket upgrade; the first message is a hello carrying the token
 *
 * Every request passes the Host allowlist; every upgrade passes the exact Origin allowlist
 * before the handshake; the token is checked on every request and WebSocket.
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
} from '../../src/protocol/messages.ts';
import type { Target } from '../target.ts';
import { type Catalog, lookUp } from './catalog.ts';
import { PageSession } from './page-session.ts';
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
}

export interface RunnerServer {
  port: number;
  /** Page sessions the runner holds: attached, or waiting for their page to come back. */
  sessionCount(): number;
  close(): Promise<void>;
}

const PING_MS = 20_000;
/** RFC 6455 allows 123 bytes of close reason; `ws` throws on more, from inside an event handler. */
const MAX_REASON_BYTES = 123;

/** Closes with a policy code and a reason cut to whole characters within the limit. */
function closeWith(ws: WebSocket, code: number, reason: string): void {
  let cut = reason;
  while (Buffer.byteLength(cut) > MAX_REASON_BYTES) cut = [...cut].slice(0, -1).join('');
  ws.close(code, cut);
}

export async function serve(options: ServeOptions): Promise<RunnerServer> {
  const { token, origins, catalog } = options;
  const sessions = new Map<string, PageSession>();
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
      let session = hello.session ? sessions.get(hello.session) : undefined;
      if (session?.attached) return close('this session already has a client');
      if (session && session.chapter !== hello.chapter) session = undefined;
      const resumed = !!session;
      if (!session) {
        session = new PageSession(
          hello.chapter,
          options.target,
          (s) => {
            sessions.delete(s.id);
            void s.close();
          },
          options.detachedGraceMs,
        );
        sessions.set(session.id, session);
      }
      attach(ws, session, resumed);
    });
  }

  function attach(ws: WebSocket, session: PageSession, resumed: boolean): void {
    session.attach(ws);
    const reply = (m: ServerMessage) => ws.send(JSON.stringify(m));
    reply({ type: 'ready', session: session.id, chapter: session.chapter, target: options.target.name, resumed });
    ws.on('message', (data, isBinary) => {
      const parsed = isBinary ? { ok: false as const, reason: 'binary frame' } : parseClientMessage(data.toString());
      if (!parsed.ok) return closeWith(ws, 1008, parsed.reason);
      const m = parsed.message;
      switch (m.type) {
        case 'hello':
          return closeWith(ws, 1008, 'hello was already said');
        case 'run': {
          const found = lookUp(catalog, session.chapter, m, options.allowEdit);
          if (!found.ok) return reply({ type: 'error', message: found.reason });
          return void session.run(found.chapter, found.cell, found.code);
        }
        case 'interrupt':
          return void session.interrupt();
        case 'reset':
          return void session.reset();
        case 'ack':
          return session.ack(m.bytes);
        case 'resize':
          return session.resize(m.cols, m.rows);
      }
    });
    ws.on('close', () => session.detach(ws));
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
    sessionCount: () => sessions.size,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all([...sessions.values()].map((s) => s.close()));
      sessions.clear();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
