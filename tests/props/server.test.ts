/**
 * Random frames against a live `labbook serve` (in this process, so that an exception in
 * one of its handlers fails this file): each bad frame, before or after the hello, closes
 * that connection with 1008 (policy) or 1009 (too big), and the runner keeps serving a good
 * page that runs a cell in a real lab afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { sweepStaleLabs } from '../../runner/lab.ts';
import { loadCatalog } from '../../runner/server/catalog.ts';
import { newToken } from '../../runner/server/security.ts';
import type { RunnerServer } from '../../runner/server/server.ts';
import { MAX_MESSAGE_BYTES, parseClientMessage, type ServerMessage } from '../../src/protocol/messages.ts';
import { labLeftovers, labsStartedBy } from '../host-state.ts';
import { testRunner } from '../live/page-client.ts';

const SITE = 'http://127.0.0.1:4321';
const token = newToken();
const catalog = loadCatalog([{ slug: 'basic', file: new URL('../fixtures/basic.md', import.meta.url).pathname }]);
const hello = { type: 'hello', version: 1, token, chapter: 'basic' };
let server: RunnerServer;

beforeAll(async () => {
  await sweepStaleLabs();
  server = await testRunner(catalog, token);
});
afterAll(() => server?.close());

type Frame = { text: string } | { binary: Buffer };

/** Frames no page may send: text the protocol refuses, binary, or larger than the limit. */
const badFrame: fc.Arbitrary<Frame> = fc.oneof(
  fc
    .oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 3 }),
      // A valid message with an unknown field whose name is long and not ASCII: its reason
      // must still fit a close frame.
      fc
        .tuple(
          fc.string({ unit: fc.constantFrom('a', 'é', '見', '😀'), minLength: 40, maxLength: 80 }),
          fc.constantFrom('ack', 'reset', 'run'),
        )
        .map(([key, type]) => JSON.stringify({ type, bytes: 1, cell: 'a', hash: '0123456789abcdef', [key]: 1 })),
      fc.constantFrom(JSON.stringify({ ...hello, token: 'x'.repeat(20) }), '{"type":"hello"}'),
    )
    .filter((text) => !parseClientMessage(text).ok)
    .map((text) => ({ text })),
  fc.uint8Array({ maxLength: 64 }).map((b) => ({ binary: Buffer.from(b) })),
  fc.integer({ min: MAX_MESSAGE_BYTES + 1, max: MAX_MESSAGE_BYTES * 2 }).map((n) => ({ text: 'x'.repeat(n) })),
);

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/session`, { headers: { Origin: SITE } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function messages(ws: WebSocket): ServerMessage[] {
  const got: ServerMessage[] = [];
  ws.on('message', (d) => got.push(JSON.parse(d.toString())));
  return got;
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

it('closes the connection on any bad frame, before or after the hello, with 1008 or 1009', async () => {
  await fc.assert(
    fc.asyncProperty(badFrame, fc.boolean(), async (frame, afterHello) => {
      const ws = await open();
      const got = messages(ws);
      const end = closed(ws);
      if (afterHello) {
        ws.send(JSON.stringify(hello));
        await expect.poll(() => got.some((m) => m.type === 'ready'), { timeout: 10_000 }).toBe(true);
      }
      if ('text' in frame) ws.send(frame.text);
      else ws.send(frame.binary);
      // A handler that threw leaves the connection open: time out rather than hang.
      const code = await Promise.race([end, new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000))]);
      const big = 'text' in frame && Buffer.byteLength(frame.text) > MAX_MESSAGE_BYTES;
      expect(code).toBe(big ? 1009 : 1008);
    }),
    { numRuns: 150 },
  );
}, 120_000);

it('keeps answering a good page afterwards, in a real lab, and leaves nothing of it', async () => {
  const ws = await open();
  const got = messages(ws);
  ws.send(JSON.stringify(hello));
  await expect.poll(() => got.find((m) => m.type === 'ready'), { timeout: 10_000 }).toBeDefined();
  const cell = catalog.chapters.get('basic')?.cells.find((c) => c.id === 'functions-persist') ?? expect.unreachable();
  ws.send(JSON.stringify({ type: 'run', cell: cell.id, hash: cell.hash }));
  await expect
    .poll(() => got.find((m) => m.type === 'end' && m.cell === cell.id), { timeout: 20_000 })
    .toMatchObject({ status: 'passed', exitCode: 0 });
  const labs = labsStartedBy(process.pid);
  expect(labs).toHaveLength(1);
  const end = closed(ws);
  ws.close();
  await end;
  // Sessions the random frames made were never given a lab; the good one's lab ends with the server.
  await server.close();
  expect(labs.flatMap(labLeftovers)).toEqual([]);
}, 60_000);
