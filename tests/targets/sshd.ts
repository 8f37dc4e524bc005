/**
 * A private sshd for the target tests: Debian's openssh-server on 127.0.0.1, on a port chosen
 * at runtime, with its own host key, a user key made for the test and a known_hosts that
 * pins the host key. Nothing of the host's SSH setup is read or changed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sshd {
  port: number;
  url: string;
  identity: string;
  knownHosts: string;
  /** A known_hosts with another key for the same address: a host key mismatch. */
  wrongKnownHosts: string;
  pid: number;
  stop(): Promise<void>;
}

export const SSHD = '/usr/sbin/sshd';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
const pub = (file: string) => readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');

export async function startSshd(): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'labbook-sshd-'));
  for (const k of ['host_key', 'other_host_key', 'id_ed25519']) keygen(join(dir, k));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const port = await freePort();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${pub(join(dir, 'host_key'))}\n`);
  writeFileSync(join(dir, 'wrong_known_hosts'), `[127.0.0.1]:${port} ${pub(join(dir, 'other_host_key'))}\n`);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The test's files live in a temp dir whose modes sshd's StrictModes would question.
      'StrictModes no',
      'MaxSessions 50',
      'MaxStartups 50',
      '',
    ].join('\n'),
  );
  // sshd refuses to start without its privilege separation directory.
  const madeRunSshd = !existsSync('/run/sshd');
  if (madeRunSshd) mkdirSync('/run/sshd', { mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d;
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sshd did not start: ${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const c = createConnection(port, '127.0.0.1', () => {
        c.destroy();
        resolve(true);
      }).once('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`sshd did not listen on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `ssh://root@127.0.0.1:${port}`,
    identity: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    wrongKnownHosts: join(dir, 'wrong_known_hosts'),
    pid: child.pid as number,
    async stop() {
      const ended = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await ended;
      rmSync(dir, { recursive: true, force: true });
      if (madeRunSshd) rmSync('/run/sshd', { recursive: true, force: true });
    },
  };
}
