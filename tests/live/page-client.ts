/**
 * A page of the site as `labbook serve` meets it, for the tests that drive a runner over its
 * WebSocket: it opens /session with an allowed Origin, says hello, keeps every message the
 * runner sends and can wait for one.
 */
import { WebSocket } from 'ws';
import type { Catalog } from '../../runner/server/catalog.ts';
import { type RunnerServer, type ServeOptions, serve } from '../../runner/server/server.ts';
import { LOCAL, type Target } from '../../runner/target.ts';
import type { ServerMessage } from '../../src/protocol/messages.ts';

export const SITE = 'http://127.0.0.1:4321';

/** A runner as the tests start it: a free port, the site's origin, labs on this host. */
export function testRunner(
  catalog: Catalog,
  token: string,
  options: Partial<Omit<ServeOptions, 'catalog' | 'token'>> = {},
): Promise<RunnerServer> {
  return serve({ port: 0, token, origins: new Set([SITE]), allowEdit: false, catalog, target: LOCAL, ...options });
}

/**
 * This host's labs under another target's name, which a runner's ready message gives the
 * page: a page then takes them for that entry of the matrix (a VM's) without a VM.
 *
 *   testRunner(catalog, token, { target: localAs('vm:debian13') })  ->  ready { target: 'vm:debian13', ... }
 */
export function localAs(name: string): Target {
  return {
    name,
    shellDir: LOCAL.shellDir,
    checkLost: () => LOCAL.checkLost(),
    connect: () => LOCAL.connect(),
    launch: (argv, env) => LOCAL.launch(argv, env),
    exec: (script) => LOCAL.exec(script),
    close: () => LOCAL.close(),
  };
}

/** Opens a WebSocket; resolves with the HTTP status if the handshake is refused. */
export function connect(port: number, headers: Record<string, string> = { Origin: SITE }): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/session`, { headers, maxPayload: 1 << 24 });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/** Waits until `done` holds (expect.poll cannot wait in a beforeAll). */
async function until(done: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeout} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface PageOptions {
  /** Acknowledge output as it arrives, as the page's terminal does once it has written it. */
  ack?: boolean;
  /** Keep only the size of output, not its text (a flood would fill memory). */
  countOnly?: boolean;
}

export class Page {
  readonly messages: ServerMessage[] = [];
  closed?: { code: number; reason: string };
  /** Bytes of output received. */
  received = 0;
  private readonly ws: WebSocket;

  constructor(ws: WebSocket, options: PageOptions = {}) {
    this.ws = ws;
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as ServerMessage;
      if (m.type === 'output') {
        const bytes = Buffer.byteLength(m.data);
        this.received += bytes;
        if (options.ack) this.send({ type: 'ack', bytes });
        if (options.countOnly) return;
      }
      this.messages.push(m);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Connects and says hello with this token and chapter (and any other field of `hello`). */
  static async open(port: number, hello: Record<string, unknown>, options: PageOptions = {}): Promise<Page> {
    const ws = await connect(port);
    if (typeof ws === 'number') throw new Error(`refused: ${ws}`);
    const page = new Page(ws, options);
    page.send({ type: 'hello', version: 1, ...hello });
    return page;
  }

  send(m: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  close(): void {
    this.ws.close();
  }

  /** The first message of this type not yet taken, waited for; it is taken. */
  async next<T extends ServerMessage['type']>(type: T, timeout = 15_000): Promise<Extract<ServerMessage, { type: T }>> {
    await until(() => this.messages.some((m) => m.type === type), timeout, `a "${type}" message`);
    const i = this.messages.findIndex((m) => m.type === type);
    return this.messages.splice(i, 1)[0] as Extract<ServerMessage, { type: T }>;
  }

  async closedWith(timeout = 8000): Promise<{ code: number; reason: string }> {
    await until(() => !!this.closed, timeout, 'the connection to close');
    return this.closed as { code: number; reason: string };
  }

  output(): string {
    return this.messages.flatMap((m) => (m.type === 'output' ? [m.data] : [])).join('');
  }
}
