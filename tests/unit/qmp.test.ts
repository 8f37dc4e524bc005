/**
 * The client of QEMU's machine protocol (runner/vm/qmp.ts), against a fake QEMU on a Unix
 * socket: it waits for the greeting, negotiates capabilities, sends one command a line, passes
 * over events, and turns QEMU's errors and a closed socket into TargetErrors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TargetError } from '../../runner/target.ts';
import { Qmp } from '../../runner/vm/qmp.ts';

const scratch = mkdtempSync(join(tmpdir(), 'labbook-qmp-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const GREETING = { QMP: { version: { qemu: { major: 10, minor: 0, micro: 0 } }, capabilities: ['oob'] } };
type Command = { execute: string; arguments?: Record<string, unknown> };
/** What the fake QEMU does with a command: the lines it answers with, or 'close' to hang up. */
type Reply = (command: Command, socket: Socket) => unknown[] | 'close';
const ok: Reply = () => [{ return: {} }];

/**
 * A fake QEMU listening on a socket of its own; every command it is sent goes to `received`,
 * with whether it had greeted by then.
 */
async function fakeQemu(name: string, reply: Reply, greetAfterMs = 0) {
  const path = join(scratch, `${name}.sock`);
  const received: (Command & { greeted: boolean })[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let greeted = false;
    let buffered = '';
    const greeting = setTimeout(() => {
      greeted = true;
      socket.write(`${JSON.stringify(GREETING)}\n`);
    }, greetAfterMs);
    socket.on('close', () => clearTimeout(greeting));
    socket.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const command = JSON.parse(buffered.slice(0, nl)) as Command;
        buffered = buffered.slice(nl + 1);
        received.push({ ...command, greeted });
        const answer = command.execute === 'qmp_capabilities' ? [{ return: {} }] : reply(command, socket);
        if (answer === 'close') socket.destroy();
        else for (const line of answer) socket.write(`${JSON.stringify(line)}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `body` against a fake QEMU connected to, closing both at the end. */
async function talk(
  name: string,
  reply: Reply,
  body: (qmp: Qmp, qemu: Awaited<ReturnType<typeof fakeQemu>>) => Promise<void>,
) {
  const qemu = await fakeQemu(name, reply);
  const qmp = await Qmp.connect(qemu.path);
  try {
    await body(qmp, qemu);
  } finally {
    qmp.close();
    await qemu.close();
  }
}

describe('Qmp', () => {
  it('waits for the greeting, then negotiates capabilities before anything else', async () => {
    const qemu = await fakeQemu('greeting', ok, 50);
    const qmp = await Qmp.connect(qemu.path);
    try {
      expect(qemu.received).toEqual([{ execute: 'qmp_capabilities', greeted: true }]);
    } finally {
      qmp.close();
      await qemu.close();
    }
  });

  it('sends a command with its arguments, one a line, and answers with what QEMU returns', async () => {
    const reply: Reply = (c) => [{ return: c.execute === 'query-status' ? { status: 'paused', running: false } : {} }];
    await talk('execute', reply, async (qmp, qemu) => {
      expect(await qmp.execute('query-status')).toEqual({ status: 'paused', running: false });
      expect(await qmp.execute('migrate', { uri: 'exec:cat > state.part' })).toEqual({});
      expect(qemu.received).toEqual([
        { execute: 'qmp_capabilities', greeted: true },
        { execute: 'query-status', greeted: true },
        { execute: 'migrate', arguments: { uri: 'exec:cat > state.part' }, greeted: true },
      ]);
    });
  });

  it('passes over an event that comes before the answer', async () => {
    const stop = { event: 'STOP', data: {}, timestamp: { seconds: 1, microseconds: 2 } };
    const resume = { event: 'RESUME', data: {}, timestamp: { seconds: 1, microseconds: 3 } };
    await talk(
      'event',
      () => [stop, resume, { return: { status: 'running' } }],
      async (qmp) => {
        expect(await qmp.execute('query-status')).toEqual({ status: 'running' });
        // The events did not stand in for the next answer either.
        expect(await qmp.execute('query-status')).toEqual({ status: 'running' });
      },
    );
  });

  it('puts together an answer that comes in pieces', async () => {
    const line = `${JSON.stringify({ return: { status: 'completed' } })}\n`;
    const reply: Reply = (_, socket) => {
      socket.write(line.slice(0, 7));
      setTimeout(() => socket.write(line.slice(7)), 20);
      return [];
    };
    await talk('pieces', reply, async (qmp) => {
      expect(await qmp.execute('query-migrate')).toEqual({ status: 'completed' });
    });
  });

  it("rejects a command QEMU refuses with QEMU's description, and goes on", async () => {
    const reply: Reply = (c) =>
      c.execute === 'migrate'
        ? [{ error: { class: 'GenericError', desc: "Parameter 'uri' is missing" } }]
        : [{ return: { status: 'paused' } }];
    await talk('error', reply, async (qmp) => {
      await expect(qmp.execute('migrate')).rejects.toThrow(
        new TargetError("labbook vm: QEMU refused migrate: Parameter 'uri' is missing"),
      );
      await expect(qmp.execute('migrate')).rejects.toBeInstanceOf(TargetError);
      expect(await qmp.execute('query-status')).toEqual({ status: 'paused' });
    });
  });

  it('rejects a command pending when QEMU closes the socket', async () => {
    await talk(
      'closed',
      () => 'close',
      async (qmp) => {
        await expect(qmp.execute('quit')).rejects.toThrow(new TargetError('labbook vm: QEMU closed its QMP socket'));
      },
    );
  });

  it('rejects a command made after QEMU closed the socket at once, not never', async () => {
    await talk(
      'closed-before',
      () => 'close',
      async (qmp) => {
        await expect(qmp.execute('stop')).rejects.toBeInstanceOf(TargetError);
        await expect(qmp.execute('cont')).rejects.toThrow(new TargetError('labbook vm: QEMU closed its QMP socket'));
      },
    );
  });

  it('rejects what is pending when QEMU sends a line that is not JSON, saying what it sent', async () => {
    await talk(
      'garbage',
      (_, socket) => {
        socket.write('qemu: warning: not QMP\n');
        return [];
      },
      async (qmp) => {
        await expect(qmp.execute('query-status')).rejects.toThrow(
          new TargetError('labbook vm: QEMU sent what is not QMP: qemu: warning: not QMP'),
        );
      },
    );
  });

  it('rejects connecting to a socket nobody listens on', async () => {
    await expect(Qmp.connect(join(scratch, 'absent.sock'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects connecting when QEMU hangs up before it greets', async () => {
    const qemu = await fakeQemu('hangs-up', ok, 10_000);
    try {
      const connecting = Qmp.connect(qemu.path);
      setTimeout(() => qemu.close(), 50);
      await expect(connecting).rejects.toThrow(new TargetError('labbook vm: QEMU closed its QMP socket'));
    } finally {
      await qemu.close();
    }
  });
});
