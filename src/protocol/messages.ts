/**
 * The wire protocol between a page and `labbook serve`, shared by both sides. JSON text
 * frames; every message a page sends is validated here, and anything else closes the
 * connection with a reason.
 *
 *   page → runner: hello (first, within HELLO_DEADLINE_MS, carries the token), run, interrupt,
 *                  reset, ack (bytes of output written to the terminal), resize
 *   runner → page: ready, output, end, reset, error
 *
 * A connection's hello makes a page session (the page's lab on the runner) or reattaches to
 * one; the runner holds a bounded number of them, in all and per page.
 */
import { z } from 'zod';
import type { Reason } from '../cells/reasons.ts';
import type { CellStatus } from '../cells/recording.ts';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from './limits.ts';

export * from './limits.ts';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/);

export const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    version: z.literal(PROTOCOL_VERSION),
    token: z.string().min(16).max(128),
    /** The chapter the page shows; its cells are the ones it may run. */
    chapter: z.string().regex(/^[a-z0-9][a-z0-9/-]{0,79}$/),
    /**
     * A page session to reattach to after a dropped connection: the id its `ready` gave.
     * (The field is named `session` on the wire since version 1; it means the page session,
     * the page's lab on the runner, never a shell of that lab.)
     */
    session: z
      .string()
      .regex(/^[a-f0-9]{32}$/)
      .optional(),
    /**
     * The page: an id the page makes once per load and sends on each of its connections, so
     * that the runner can bound the page sessions of one page (its cap per page). A page is
     * trusted to say it: this bounds a page's mistakes, and the runner's own cap bounds the
     * rest. Without it, the connection counts as a page of its own.
     */
    page: z
      .string()
      .regex(/^[a-f0-9]{32}$/)
      .optional(),
  }),
  z.strictObject({
    type: z.literal('run'),
    cell: id,
    hash: z.string().regex(/^[a-f0-9]{16}$/),
    /** Edited code: refused unless the runner was started with --allow-edit. */
    code: z.string().max(MAX_MESSAGE_BYTES).optional(),
    /** The reader asks what the cell changes in the kernel: its end message then has `change`. */
    change: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('interrupt') }),
  z.strictObject({ type: z.literal('reset') }),
  z.strictObject({
    type: z.literal('ack'),
    bytes: z
      .number()
      .int()
      .positive()
      .max(1 << 30),
  }),
  z.strictObject({
    type: z.literal('resize'),
    cols: z.number().int().min(2).max(500),
    rows: z.number().int().min(2).max(200),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export type ServerMessage =
  /** `session`: the id of the page session (the page's lab), to send back in a later hello. */
  | { type: 'ready'; session: string; chapter: string; target: string; resumed: boolean }
  | { type: 'output'; cell: string; data: string }
  /** With why it did not pass as a recording has it (src/cells/reasons.ts): the page words it. */
  | ({
      type: 'end';
      cell: string;
      status: CellStatus;
      exitCode: number | null;
      durationMs: number;
      /** What it changed in the lab's kernel objects (src/cells/lab-state.ts), when the run asked. */
      change?: string[];
    } & Reason)
  | { type: 'reset' }
  /**
   * Something the page should show. Sent before the hello's `ready` only when the runner has
   * no room for a new page session; the connection is then closed with TRY_AGAIN_LATER.
   */
  | { type: 'error'; message: string };

const TYPES = clientMessage.options.map((o) => o.shape.type.value);

/** A piece of a page's message quoted in a reason: short and printable, whatever the page sent. */
function quoted(text: string): string {
  const shown = [...text].slice(0, 24).join('');
  return JSON.stringify(shown.length < text.length ? `${shown}…` : shown);
}

/** Parses a frame from a page: the message, or a reason to close the connection. */
export function parseClientMessage(raw: string): { ok: true; message: ClientMessage } | { ok: false; reason: string } {
  // The WebSocket already refuses larger frames; this keeps the rule where the protocol is.
  if (raw.length > MAX_MESSAGE_BYTES || new TextEncoder().encode(raw).length > MAX_MESSAGE_BYTES) {
    return { ok: false, reason: `message larger than ${MAX_MESSAGE_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'a message must be a JSON object' };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !TYPES.includes(type as ClientMessage['type'])) {
    const given = typeof type === 'string' ? `unknown type ${quoted(type)}` : 'no type';
    return { ok: false, reason: `${given}: expected one of ${TYPES.join(', ')}` };
  }
  const parsed = clientMessage.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    return { ok: false, reason: `${type}: unknown field ${quoted(issue.keys[0] ?? '')}` };
  }
  return { ok: false, reason: `${type}: ${issue?.path.join('.')} ${issue?.message}` };
}
