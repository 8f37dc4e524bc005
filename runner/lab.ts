/**
 * A lab: the throwaway namespaces and cgroups one chapter (or one page) runs in, on this
 * host. Its "host" session is the lab's own shell; named sessions are started inside it,
 * in new namespaces of their own (shell/session.sh). Closing the lab kills its PID 1, so
 * the kernel kills every process in it and its mounts and links go with its namespaces;
 * then its cgroups are removed (shell/lab-sweep.sh).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SessionSpec } from '../src/cells/schema.ts';
import { Session } from './session.ts';

const SHELL = join(dirname(fileURLToPath(import.meta.url)), 'shell');
const run = promisify(execFile);

/** What cells see: a small, fixed environment, the same on every run. */
export const CELL_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/tmp',
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  TZ: 'UTC',
};

export class LabError extends Error {}

let swept: Promise<void> | undefined;

/** Removes what crashed runs left (their cgroups), once per process. */
export function sweepStaleLabs(): Promise<void> {
  swept ??= run('bash', [join(SHELL, 'lab-sweep.sh')]).then(() => undefined);
  return swept;
}

export class Lab {
  private readonly sessions = new Map<string, Session>();
  private readonly starting = new Map<string, Promise<Session>>();
  private closed?: Promise<void>;

  readonly host: Session;
  /** The host PID of the lab's PID 1. */
  readonly pid1: number;

  private constructor(host: Session, pid1: number) {
    this.host = host;
    this.pid1 = pid1;
    this.sessions.set('host', host);
  }

  /** The lab's cgroup, in every hierarchy. */
  get name(): string {
    return `labbook-${this.host.pid}`;
  }

  static async create(): Promise<Lab> {
    if (process.getuid?.() !== 0) {
      throw new LabError('labs need root: run labbook as root (for example with sudo)');
    }
    await sweepStaleLabs();
    const host = await Session.start('host', { file: 'bash', args: [join(SHELL, 'lab-init.sh')] }, CELL_ENV);
    const children = readFileSync(`/proc/${host.pid}/task/${host.pid}/children`, 'utf8').trim().split(/\s+/);
    return new Lab(host, Number(children[0]));
  }

  /** A session of the lab, started on first use. */
  session(name: string, spec?: SessionSpec): Promise<Session> {
    const existing = this.sessions.get(name);
    if (existing) return Promise.resolve(existing);
    if (!spec) return Promise.reject(new LabError(`the lab has no session "${name}"`));
    let starting = this.starting.get(name);
    if (!starting) {
      const flags = spec.namespaces.map((ns) => `--${ns}`);
      if (spec.namespaces.includes('mount')) flags.push('--propagation', 'private');
      const enter = ['--target', String(this.pid1), '--mount', '--uts', '--ipc', '--net', '--pid', '--cgroup'];
      const args = [...enter, '--', 'bash', join(SHELL, 'session.sh'), 'join', name, spec.hostname ?? '', ...flags];
      starting = Session.start(name, { file: 'nsenter', args }, CELL_ENV).then((s) => {
        this.sessions.set(name, s);
        return s;
      });
      starting.finally(() => this.starting.delete(name)).catch(() => {});
      this.starting.set(name, starting);
    }
    return starting;
  }

  forEachSession(fn: (s: Session) => void): void {
    for (const s of this.sessions.values()) fn(s);
  }

  /** Ends every process of the lab and removes its cgroups. Safe to call more than once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      // Once the host session has ended, PID 1 is gone and its number may be reused.
      if (this.host.alive) process.kill(this.pid1, 'SIGKILL');
      for (const s of this.sessions.values()) s.close();
      await run('bash', [join(SHELL, 'lab-sweep.sh'), this.name]);
    })();
    return this.closed;
  }
}
