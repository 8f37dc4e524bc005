/**
 * One WebSocket to the runner per page, shared by every cell of the page. It says hello
 * with the token and the page's id, keeps the page session's id so that a dropped connection
 * reattaches to the same lab, and reconnects with backoff until the runner answers again or
 * is plainly gone. A runner with no room for the page refuses the hello with an error message
 * and TRY_AGAIN_LATER: the page shows the message, and its next Run asks again.
 */
import { PROTOCOL_VERSION, TRY_AGAIN_LATER } from '../../protocol/limits.ts';
import type { ClientMessage, ServerMessage } from '../../protocol/messages.ts';
import { type RunnerLink, sessionKey } from './runner-link.ts';

export type ConnectionState = 'connecting' | 'ready' | 'lost' | 'gone';

const RETRY_MS = [250, 500, 1000, 2000, 4000];
/** Tries before saying the runner is gone: few if it never answered (refused, not started). */
const GIVE_UP_AFTER = 12;
const GIVE_UP_NEVER_CONNECTED = 3;

/** This load of the page, for the runner's cap per page: the same on each of its connections. */
const PAGE_ID = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

export class Connection {
  private ws?: WebSocket;
  private tries = 0;
  private everReady = false;
  private readonly link: RunnerLink;
  private readonly chapter: string;
  private readonly onMessage: (m: ServerMessage) => void;
  private readonly onState: (s: ConnectionState, why?: string) => void;
  private ready?: Promise<string | undefined>;
  private markReady?: (target: string | undefined) => void;
  /** Ends the wait of whenReady when the runner is gone, so the page's queue of runs goes on. */
  private markGone?: (why: Error) => void;

  constructor(
    link: RunnerLink,
    chapter: string,
    onMessage: (m: ServerMessage) => void,
    onState: (s: ConnectionState, why?: string) => void,
  ) {
    this.link = link;
    this.chapter = chapter;
    this.onMessage = onMessage;
    this.onState = onState;
  }

  /**
   * Resolves with the runner's target (its ready message's: "local", "vm:debian13", an ssh://
   * address...) once the runner said ready (connecting first if needed), or with none when it
   * refused the page for now (TRY_AGAIN_LATER): then its reason follows as an error message,
   * and the next call asks again. Rejects once the runner is gone (the page has already said so).
   * A reconnection reaches the same runner (its token is that runner's), so the target holds.
   */
  whenReady(): Promise<string | undefined> {
    if (!this.ready) {
      this.ready = new Promise((resolve, reject) => {
        this.markReady = resolve;
        this.markGone = reject;
      });
      this.open();
    }
    return this.ready;
  }

  send(m: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private gone(why: string): void {
    this.onState('gone', why);
    this.ready = undefined;
    this.markGone?.(new Error(why || 'the runner is gone'));
    this.markReady = this.markGone = undefined;
  }

  private open(): void {
    this.onState('connecting');
    const ws = new WebSocket(`ws://${this.link.address}/session`);
    this.ws = ws;
    let greeted = false;
    /** The runner's reason for refusing the hello, which comes before it closes. */
    let refusal: string | undefined;
    ws.onopen = () => {
      // The page session to reattach to (the protocol's field keeps its version 1 name).
      const session = sessionStorage.getItem(sessionKey(this.chapter)) ?? undefined;
      ws.send(
        JSON.stringify({
          type: 'hello',
          version: PROTOCOL_VERSION,
          token: this.link.token,
          chapter: this.chapter,
          session,
          page: PAGE_ID,
        } satisfies ClientMessage),
      );
    };
    ws.onmessage = (event) => {
      const m = JSON.parse(String(event.data)) as ServerMessage;
      if (!greeted && m.type === 'error') {
        refusal = m.message;
        return;
      }
      if (m.type === 'ready') {
        greeted = true;
        this.everReady = true;
        this.tries = 0;
        sessionStorage.setItem(sessionKey(this.chapter), m.session);
        this.onState('ready');
        this.markReady?.(m.target);
      }
      this.onMessage(m);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      // No room for this page now: the runner is there, so say why rather than "gone". The
      // waiting Run goes on (and finds the connection closed); the message then ends it.
      if (!greeted && event.code === TRY_AGAIN_LATER) {
        sessionStorage.removeItem(sessionKey(this.chapter));
        this.tries = 0;
        this.ready = undefined;
        this.markReady?.(undefined);
        this.markReady = undefined;
        const message = refusal ?? event.reason;
        setTimeout(() => this.onMessage({ type: 'error', message }), 0);
        return;
      }
      // Refused at hello (a restarted runner has a new token; a page session taken by another tab):
      // forget the page session and say so rather than retry forever.
      if (!greeted && event.code === 1008) {
        sessionStorage.removeItem(sessionKey(this.chapter));
        this.gone(event.reason);
        return;
      }
      if (++this.tries > (this.everReady ? GIVE_UP_AFTER : GIVE_UP_NEVER_CONNECTED)) {
        this.gone(event.reason);
        return;
      }
      this.onState('lost');
      setTimeout(() => this.open(), RETRY_MS[Math.min(this.tries, RETRY_MS.length) - 1]);
    };
  }
}
