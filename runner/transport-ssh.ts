/**
 * The SSH transport: one master connection (ControlMaster) that every session and one-off
 * command of the run reuses, because a fresh connection per cell costs over a second on a
 * slow guest and 0.1 s through the master. Host keys are checked (StrictHostKeyChecking=yes,
 * the user's known_hosts or the one given); no prompt is ever shown (BatchMode). The control
 * socket lives in a private 0700 directory, removed at close; the master ends by itself
 * CONTROL_PERSIST after its last client, so a crashed run leaves it only that long, and its
 * empty directory is swept by the next run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localEnv, runCommand, TargetError, type TargetOptions } from './target.ts';
import type { Transport } from './target-remote.ts';

const CONTROL_PERSIST_S = 30;
const PREFIX = 'labbook-ssh-';

export interface SshAddress {
  user?: string;
  host: string;
  port?: string;
}

/**
 * ssh://[user@]host[:port], the host a name, an IPv4 address or an IPv6 one in brackets
 * ([::1]). A host may not start with "-" (ssh would read it as an option) nor hold an "@",
 * and a port is 1 to 65535.
 */
export function parseSshAddress(url: string): SshAddress {
  const m = /^ssh:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/@]+)(?::(\d+))?\/?$/.exec(url);
  const host = m?.[2]?.replace(/^\[|\]$/g, '');
  const port = m?.[3];
  if (!m || !host || host.startsWith('-') || (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))) {
    throw new TargetError(`--target: "${url}" is not ssh://[user@]host[:port]`);
  }
  return { user: m[1], host, port };
}

export interface SshOptions extends TargetOptions {
  /** Seconds to wait for the TCP connection and the login (default 15). */
  connectTimeoutS?: number;
}

/**
 * The options of every ssh command labbook runs (the transport's, `labbook vm`'s), without
 * the host: never a prompt (BatchMode), the host key checked against known_hosts, only
 * ssh's errors on stderr; with a known_hosts given, only that one is read; with a key
 * given, only that key is offered.
 */
export function sshOptions(address: Omit<SshAddress, 'host'>, options: SshOptions = {}): string[] {
  return [
    ...['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR'],
    ...['-o', `ConnectTimeout=${options.connectTimeoutS ?? 15}`],
    ...(options.knownHosts
      ? ['-o', `UserKnownHostsFile=${options.knownHosts}`, '-o', 'GlobalKnownHostsFile=/dev/null']
      : []),
    ...(options.identity ? ['-i', options.identity, '-o', 'IdentitiesOnly=yes'] : []),
    ...(address.port ? ['-p', address.port] : []),
    ...(address.user ? ['-l', address.user] : []),
  ];
}

/** Control directories of runs whose master has ended (its socket is gone). */
function sweepControlDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const old = Date.now() - statSync(dir).mtimeMs > (CONTROL_PERSIST_S + 5) * 1000;
    if (old && !existsSync(join(dir, 'ctl'))) rmSync(dir, { recursive: true, force: true });
  }
}

/** Turns ssh's own words for a refused host key into what to do about it. */
function explain(url: string, stderr: string, knownHosts: string): string {
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/.test(stderr)) {
    return `${url}: the host key does not match the one in ${knownHosts}: refusing to connect. If the machine was rebuilt and you trust it, remove the old key (ssh-keygen -R HOST -f ${knownHosts}) and add the new one.`;
  }
  if (/No .* host key is known|Host key verification failed/.test(stderr)) {
    return `${url}: the host's key is not in ${knownHosts}: refusing to connect. Check the key and add it (ssh-keyscan), or pass --known-hosts FILE.`;
  }
  return `${url}: could not connect: ${stderr.trim().split('\n').pop()}`;
}

export function sshTransport(url: string, options: TargetOptions): Transport {
  const address = parseSshAddress(url);
  // Made at open, so that a target never connected leaves nothing.
  let dir = '';
  const common = () => [
    ...sshOptions(address, options),
    ...['-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3'],
    ...['-o', `ControlPath=${join(dir, 'ctl')}`],
  ];
  const env = localEnv();
  return {
    env,
    argv: (commandLine, tty) => [
      'ssh',
      ...common(),
      '-o',
      'ControlMaster=no',
      tty ? '-tt' : '-T',
      address.host,
      '--',
      commandLine,
    ],
    async open() {
      // Opened again (a target reconnecting): the earlier master and its directory go first.
      await this.close();
      sweepControlDirs();
      const made = mkdtempSync(join(tmpdir(), PREFIX));
      dir = made;
      const args = [...common(), '-o', 'ControlMaster=yes', '-o', `ControlPersist=${CONTROL_PERSIST_S}`, '-f', '-N'];
      // -f: ssh goes to the background once logged in; the parent's exit says how that went.
      // Its stderr pipe stays open in the background master, so only the exit is awaited.
      const master = spawn('ssh', [...args, address.host], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      master.stderr?.on('data', (d: Buffer) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((resolve) => {
        master.once('error', () => resolve(-1));
        master.once('exit', resolve);
      });
      master.stderr?.destroy();
      if (code !== 0) {
        rmSync(made, { recursive: true, force: true });
        if (dir === made) dir = '';
        throw new TargetError(explain(url, stderr, options.knownHosts ?? '~/.ssh/known_hosts'));
      }
    },
    async close() {
      if (!dir) return;
      if (existsSync(join(dir, 'ctl'))) {
        await runCommand('ssh', [...common(), '-O', 'exit', address.host], env).catch(() => {});
      }
      // The exiting master unlinks its socket as this runs. A clean-clone CI run found the
      // directory left, empty, at the moment its master exited: most likely a recursive rm that
      // met that ENOENT and kept the directory (not reproduced), hence the socket first.
      rmSync(join(dir, 'ctl'), { force: true });
      rmSync(dir, { recursive: true, force: true });
      dir = '';
    },
  };
}
