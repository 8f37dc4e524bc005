/**
 * Bad input to the runner's protocol: for every message type a page may send, valid frames
 * are read, and broken ones (malformed JSON, truncated, oversized, a field missing, of the
 * wrong type or unknown) give { ok: false, reason } with a reason that says what is wrong.
 * parseClientMessage never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClientMessage, MAX_MESSAGE_BYTES, parseClientMessage } from '../../src/protocol/messages.ts';

const cellId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
const hex = (n: number) => fc.stringMatching(new RegExp(`^[a-f0-9]{${n}}$`));

/** One generator of valid messages per type: the keys of this record are every type there is. */
const VALID: Record<ClientMessage['type'], fc.Arbitrary<Record<string, unknown>>> = {
  hello: fc.record(
    {
      type: fc.constant('hello'),
      version: fc.constant(1),
      token: fc.string({ minLength: 16, maxLength: 64 }),
      chapter: fc.stringMatching(/^[a-z0-9][a-z0-9/-]{0,20}$/),
      session: hex(32),
      page: hex(32),
    },
    { requiredKeys: ['type', 'version', 'token', 'chapter'] },
  ),
  run: fc.record(
    { type: fc.constant('run'), cell: cellId, hash: hex(16), code: fc.string({ maxLength: 200 }) },
    { requiredKeys: ['type', 'cell', 'hash'] },
  ),
  interrupt: fc.constant({ type: 'interrupt' }),
  reset: fc.constant({ type: 'reset' }),
  ack: fc.record({ type: fc.constant('ack'), bytes: fc.integer({ min: 1, max: 1 << 30 }) }),
  resize: fc.record({
    type: fc.constant('resize'),
    cols: fc.integer({ min: 2, max: 500 }),
    rows: fc.integer({ min: 2, max: 200 }),
  }),
};
const TYPES = Object.keys(VALID) as ClientMessage['type'][];
const valid = fc.oneof(...TYPES.map((t) => VALID[t]));

/** Values of every JSON type, to put where a field of another type belongs. */
const anyJson = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

function expectRefused(raw: string, reason?: RegExp): void {
  let result: ReturnType<typeof parseClientMessage> | undefined;
  expect(() => {
    result = parseClientMessage(raw);
  }).not.toThrow();
  expect(result?.ok, raw.slice(0, 200)).toBe(false);
  if (result && !result.ok) {
    expect(result.reason.length).toBeGreaterThan(5);
    // Short enough for a WebSocket close frame once the server adds nothing to it.
    expect(Buffer.byteLength(result.reason)).toBeLessThan(200);
    if (reason) expect(result.reason).toMatch(reason);
  }
}

describe('parseClientMessage', () => {
  it('reads every valid message of every type as it was sent', () => {
    fc.assert(
      fc.property(valid, (m) => {
        expect(parseClientMessage(JSON.stringify(m))).toEqual({ ok: true, message: m });
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses arbitrary text and arbitrary JSON that is not a message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (raw) => {
        const r = parseClientMessage(raw);
        if (r.ok) expect(TYPES).toContain(r.message.type);
        else expect(r.reason.length).toBeGreaterThan(5);
      }),
      { numRuns: 2000 },
    );
    for (const raw of ['', '{', 'null', '[]', '"run"', '1e999', '{"type":1}', '{}']) expectRefused(raw);
  });

  it('refuses a truncated frame of any message', () => {
    fc.assert(
      fc.property(valid, fc.nat(), (m, at) => {
        const raw = JSON.stringify(m);
        expectRefused(raw.slice(0, at % raw.length), /not JSON|^[a-z]+: /);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a message with a field missing, naming the type and the field', () => {
    fc.assert(
      fc.property(valid, fc.nat(), (m, i) => {
        const required = Object.keys(m).filter((k) => k !== 'type' && !['session', 'page', 'code'].includes(k));
        fc.pre(required.length > 0);
        const field = required[i % required.length] as string;
        const { [field]: _gone, ...rest } = m;
        expectRefused(JSON.stringify(rest), new RegExp(`^${m.type}: ${field} `));
      }),
    );
  });

  it('refuses a field of the wrong type, naming the type and the field', () => {
    fc.assert(
      fc.property(valid, fc.nat(), anyJson, (m, i, value) => {
        const fields = Object.keys(m).filter((k) => k !== 'type');
        fc.pre(fields.length > 0);
        const field = fields[i % fields.length] as string;
        fc.pre(typeof value !== typeof m[field] || value === null || Array.isArray(value));
        expectRefused(JSON.stringify({ ...m, [field]: value }), new RegExp(`^${m.type}: ${field} `));
      }),
    );
  });

  it('refuses an unknown field, naming it, whatever its name', () => {
    const name = fc.oneof(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.constantFrom('__proto__', 'constructor', 'toString', '見知らぬ'.repeat(40)),
    );
    fc.assert(
      fc.property(valid, name, anyJson, (m, key, value) => {
        fc.pre(!(key in m));
        const raw = `{"${key === '__proto__' ? '__proto__' : JSON.stringify(key).slice(1, -1)}":${JSON.stringify(value)},${JSON.stringify(m).slice(1)}`;
        expectRefused(raw, new RegExp(`^${m.type}: unknown field "`));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses an unknown or missing type, listing the types there are', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), anyJson), (type) => {
        fc.pre(!TYPES.includes(type as ClientMessage['type']));
        expectRefused(JSON.stringify({ type }), /expected one of hello, run, interrupt, reset, ack, resize$/);
      }),
    );
  });

  it('refuses a page id or a page session id that is not 32 hex digits, naming the field', () => {
    const hello = { type: 'hello', version: 1, token: 't'.repeat(16), chapter: 'live' };
    for (const field of ['page', 'session']) {
      for (const bad of ['', 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), '0123456789abcdef0123456789abcdeg']) {
        expectRefused(JSON.stringify({ ...hello, [field]: bad }), new RegExp(`^hello: ${field} `));
      }
    }
  });

  it('refuses an oversized frame, however it is made', () => {
    const big = fc.integer({ min: MAX_MESSAGE_BYTES + 1, max: MAX_MESSAGE_BYTES * 4 });
    fc.assert(
      fc.property(big, fc.constantFrom('a', 'é', '見', '😀'), (bytes, ch) => {
        const filler = ch.repeat(Math.ceil(bytes / Buffer.byteLength(ch)));
        expectRefused(JSON.stringify({ type: 'run', cell: 'a', hash: '0123456789abcdef', code: filler }), /larger/);
        expectRefused(filler, /larger/);
      }),
      { numRuns: 20 },
    );
  });
});
