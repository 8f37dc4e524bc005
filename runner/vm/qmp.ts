/**
 * A client of QEMU's machine protocol (QMP) on a Unix socket: one command at a time, its
 * answer or its error. Events QEMU sends between answers are passed over.
 *
 *   const qmp = await Qmp.connect('/…/qmp.sock');
 *   await qmp.execute('stop');
 *   await qmp.execute('migrate', { uri: 'exec:cat > state' });
 */
import { createConnection, type Socket } from 'node:net';
import { TargetError } from '../target.ts';

type Answer = { return?: unknown; error?: { class: string; desc: string }; event?: string; QMP?: unknown };

export class Qmp {
  private buffered = '';
  private waiting: { resolve: (answer: Answer) => void; reject: (e: Error) => void }[] = [];
  /** Why the socket is closed, once it is. */
  private closed?: Error;

  private readonly socket: Socket;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8').on('data', (text: string) => {
      this.buffered += text;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        let answer: Answer;
        try {
          answer = JSON.parse(line) as Answer;
        } catch {
          socket.destroy(new TargetError(`labbook vm: QEMU sent what is not QMP: ${line.slice(0, 80)}`));
          return;
        }
        if (!answer.event) this.waiting.shift()?.resolve(answer);
      }
    });
    let failure: Error | undefined;
    socket.on('error', (e) => {
      failure = e;
    });
    socket.on('close', () => {
      this.closed = failure ?? new TargetError('labbook vm: QEMU closed its QMP socket');
      for (const w of this.waiting.splice(0)) w.reject(this.closed);
    });
  }

  static async connect(path: string): Promise<Qmp> {
    const socket = createConnection(path);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const qmp = new Qmp(socket);
    await qmp.next(); // the greeting
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  private next(): Promise<Answer> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const answer = this.next();
    this.socket.write(`${JSON.stringify({ execute: command, ...(args && { arguments: args }) })}\n`);
    const { return: value, error } = await answer;
    if (error) throw new TargetError(`labbook vm: QEMU refused ${command}: ${error.desc}`);
    return value;
  }

  close(): void {
    this.socket.destroy();
  }
}
