/**
 * `labbook serve` as a hostile page and a real page would meet it. Each security test
 * fails if its protection is removed.
 */
import { existsSync } from 'node:fs';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { hashSource } from '../../src/cells/parse.ts';
import { HIGH_WATER_BYTES, MAX_MESSAGE_BYTES } from '../../src/protocol/messages.ts';
import { connect as connectTo, Page as PageClient, SITE, testRunner } from './page-client.ts';

const token = newToken();
const fixture = (name: string) => new URL(`../fixtures/${name}.md`, import.meta.url).pathname;
const catalog = loadCatalog(['basic', 'live', 'change'].map((slug) => ({ slug, file: fixture(slug) })));
const cell = (id: string) =>
  [...catalog.chapters.values()].flatMap((c) => c.cells).find((c) => c.id === id) ?? expect.unreachable();
let strict: RunnerServer;
let editable: RunnerServer;

beforeAll(async () => {
  strict = await testRunner(catalog, token);
  editable = await testRunner(catalog, token, { allowEdit: true });
});
afterAll(async () => {
  await strict.close();
  await editable.close();
});

/** The value once it stayed the same for `quietMs` (polled every 50 ms), within `timeoutMs`. */
async function steady(read: () => number, quietMs: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let value = read();
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() > deadline) throw new Error(`still changing after ${timeoutMs} ms: ${value}`);
    await new Promise((r) => setTimeout(r, 50));
    const now = read();
    if (now !== value) [value, since] = [now, performance.now()];
  }
  return value;
}

const connect = (server: RunnerServer, headers?: Record<string, string>) => connectTo(server.port, headers);

/** The site's page client, on the strict runner unless told otherwise, with the token. */
const Page = {
  open: (server = strict, hello: Record<string, unknown> = {}) =>
    PageClient.open(server.port, { token, chapter: 'basic', ...hello }),
};

const run = (id: string, extra: Record<string, unknown> = {}) => ({
  type: 'run',
  cell: id,
  hash: cell(id).hash,
  ...extra,
});

describe('before the handshake', () => {
  it('refuses a foreign Origin, a null Origin and a missing one with 403', async () => {
    expect(await connect(strict, { Origin: 'http://evil.example' })).toBe(403);
    expect(await connect(strict, { Origin: 'http://127.0.0.1:4321.evil.example' })).toBe(403);
    expect(await connect(strict, { Origin: 'null' })).toBe(403);
    expect(await connect(strict, {})).toBe(403);
  });

  it('refuses a rebinding Host header with 403, on HTTP and on upgrades', async () => {
    expect(await connect(strict, { Origin: SITE, Host: `rebind.example:${strict.port}` })).toBe(403);
    // fetch() may not set Host: ask with node:http.
    const status = await new Promise((resolve, reject) => {
      const headers = { Host: `rebind.example:${strict.port}`, Authorization: `Bearer ${token}` };
      get({ host: '127.0.0.1', port: strict.port, path: '/status', headers }, (res) => resolve(res.statusCode))
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});

describe('HTTP', () => {
  it('answers /status only with the token, and CORS only for an allowed origin', async () => {
    const url = `http://127.0.0.1:${strict.port}/status`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Origin: SITE } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(await ok.json()).toMatchObject({ chapters: ['basic', 'live', 'change'], allowEdit: false });
    const foreign = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the token', () => {
  it('is required in the first message: a missing or wrong one closes the connection', async () => {
    for (const hello of [{ token: undefined }, { token: 'x'.repeat(43) }]) {
      const page = await Page.open(strict, hello);
      expect((await page.closedWith()).code).toBe(1008);
      expect(page.messages).toEqual([]);
    }
  });

  it('must come with a hello in time, and first', async () => {
    const ws = await connect(strict);
    if (typeof ws === 'number') throw new Error('refused');
    const page = new PageClient(ws);
    page.send(run('state-persists'));
    expect(await page.closedWith()).toEqual({ code: 1008, reason: 'the first message must be hello' });
  });
});

describe('a page session', () => {
  it('runs a served cell and streams its output, then its end', async () => {
    const page = await Page.open();
    expect(await page.next('ready')).toMatchObject({ chapter: 'basic', resumed: false });
    page.send(run('functions-persist'));
    expect(await page.next('end')).toMatchObject({ cell: 'prepare', status: 'passed' });
    expect(await page.next('end')).toMatchObject({ cell: 'functions-persist', status: 'passed', exitCode: 0 });
    expect(page.output()).toBe('QUIET\r\n');
    page.close();
  });

  it('says what a cell changed in the kernel when the page asks, and only then', async () => {
    const page = await Page.open(strict, { chapter: 'change' });
    await page.next('ready');
    page.send(run('pair', { change: true }));
    const end = await page.next('end');
    expect(end).toMatchObject({ cell: 'pair', status: 'passed' });
    expect(end.change).toContain('+ link veth1 in ns1 (veth, peer veth0 in lab, down)');
    page.send(run('wrong-claim'));
    expect(await page.next('end')).not.toHaveProperty('change');
    page.close();
  });

  it('reports a cell whose requirement the host lacks as skipped, with the reason', async () => {
    const page = await Page.open();
    await page.next('ready');
    page.send(run('needs-ipvlan'));
    await page.next('end'); // the hidden setup cell before it
    const end = await page.next('end');
    if (existsSync('/sys/module/ipvlan')) expect(end).toMatchObject({ cell: 'needs-ipvlan', status: 'passed' });
    else
      expect(end).toMatchObject({
        cell: 'needs-ipvlan',
        status: 'skipped',
        missing: 'ipvlan',
      });
    page.close();
  });

  it('refuses a cell the chapter does not have, and edited code', async () => {
    const page = await Page.open();
    await page.next('ready');
    page.send({ type: 'run', cell: 'rm-rf', hash: hashSource('rm -rf /') });
    expect((await page.next('error')).message).toMatch(/has no cell "rm-rf"/);
    page.send(run('functions-persist', { code: 'id' }));
    expect((await page.next('error')).message).toMatch(/--allow-edit/);
    page.send({ ...run('functions-persist'), hash: hashSource('id') });
    expect((await page.next('error')).message).toMatch(/--allow-edit/);
    expect(page.messages.filter((m) => m.type === 'output')).toEqual([]);
    page.close();
  });

  it('runs edited code only when the runner allows editing', async () => {
    const page = await Page.open(editable);
    await page.next('ready');
    page.send(run('functions-persist', { code: 'echo edited' }));
    expect(await page.next('end')).toMatchObject({ cell: 'prepare', status: 'passed' });
    expect(await page.next('end')).toMatchObject({ cell: 'functions-persist', status: 'passed' });
    expect(page.output()).toBe('edited\r\n');
    page.close();
  });

  it('closes the connection on an oversized message', async () => {
    const page = await Page.open();
    await page.next('ready');
    page.send(run('functions-persist', { code: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }));
    expect((await page.closedWith()).code).toBe(1009);
  });

  it('closes the connection on malformed, unknown or mistyped messages', async () => {
    for (const bad of [
      '{',
      '{"type":"launch"}',
      '{"type":"run","cell":"a","hash":"0123456789abcdef","x":1}',
      '{"type":"ack","bytes":"9"}',
    ]) {
      const page = await Page.open();
      await page.next('ready');
      page.send(bad);
      expect((await page.closedWith()).code).toBe(1008);
    }
  });

  it('has one client at a time, and takes back a client that reconnects', async () => {
    const first = await Page.open();
    const { session } = await first.next('ready');
    first.send({ type: 'run', cell: 'prepare', hash: cell('prepare').hash });
    await first.next('end');
    const second = await Page.open(strict, { session });
    expect(await second.closedWith()).toEqual({ code: 1008, reason: 'this page session already has a client' });
    const detached = strict.pageSessionCount('detached');
    first.close();
    // Once the runner saw the first client go, the page session waits for it.
    await expect.poll(() => strict.pageSessionCount('detached'), { timeout: 10_000 }).toBe(detached + 1);
    const again = await Page.open(strict, { session });
    expect(await again.next('ready')).toMatchObject({ session, resumed: true });
    again.send(run('state-persists'));
    expect(await again.next('end')).toMatchObject({ cell: 'state-persists', status: 'passed' });
    expect(again.output()).toBe('hello from /var/tmp\r\n');
    again.close();
  });

  it('interrupts a running cell, and a reset gives a fresh lab', async () => {
    const page = await Page.open(strict, { chapter: 'live' });
    await page.next('ready');
    const started = performance.now();
    page.send(run('long'));
    await expect.poll(() => page.output(), { timeout: 20_000 }).toContain('started');
    page.send({ type: 'interrupt' });
    expect(await page.next('end')).toMatchObject({ cell: 'long', status: 'failed', exitCode: 130 });
    expect(performance.now() - started).toBeLessThan(10_000);
    page.close();

    const basic = await Page.open();
    await basic.next('ready');
    basic.send(run('prepare'));
    await basic.next('end');
    basic.send({ type: 'reset' });
    await basic.next('reset');
    // The fresh lab runs the hidden setup cell again before the cell that needs it.
    basic.send(run('state-persists'));
    expect(await basic.next('end')).toMatchObject({ cell: 'prepare', status: 'passed' });
    expect(await basic.next('end')).toMatchObject({ cell: 'state-persists', status: 'passed' });
    expect(basic.output()).toBe('hello from /var/tmp\r\n');
    basic.close();
  });

  it('pauses a flood of output until the page acknowledges it', async () => {
    const page = await Page.open(strict, { chapter: 'live' });
    await page.next('ready');
    page.send(run('flood'));
    const received = () => Buffer.byteLength(page.output());
    await expect.poll(received, { timeout: 20_000 }).toBeGreaterThan(HIGH_WATER_BYTES);
    // Without acknowledgements the output stops: wait until it has not grown for 500 ms.
    const held = await steady(received, 500, 20_000);
    // Without acknowledgements the runner stops near the high-water mark, far below 4 MB.
    expect(held).toBeLessThan(HIGH_WATER_BYTES + 256 * 1024);
    expect(page.messages.some((m) => m.type === 'end')).toBe(false);
    const timer = setInterval(() => page.send({ type: 'ack', bytes: 64 * 1024 }), 5);
    try {
      expect(await page.next('end', 30_000)).toMatchObject({ status: 'passed' });
    } finally {
      clearInterval(timer);
    }
    expect(received()).toBe(4_000_002);
    page.close();
  });
});
