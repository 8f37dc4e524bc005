/**
 * A lab: the throwaway namespaces and cgroups one chapter (or one page) runs in, on a target
 * Its "lab" session is the lab's own shell; named sessions are
 * started inside it, in new namespaces of their own (shell/session.sh). Closing the lab kills
 * its PID 1, so the kernel kills every process in it and its mounts and links go with its
 * namespaces; then its cgroups are removed (shell/lab-sweep.sh). Everything the runner does
 * there goes through the target, so a lab behaves the same on every target.
 */

import { type LabState, parseLabState } from '../src/cells/lab-state.ts';
import type { SessionSpec } from '../src/cells/schema.ts';
import { DEFAULT_SESSION } from '../src/cells/schema.ts';
import { Session } from './session.ts';
import { LOCAL, shq, type Target } from './target.ts';

/** What cells see: a small, fixed environment, the same on every run. */
export const CELL_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/tmp',
  TERM: 'xterm-256color',
  LANG: 'C.UTF-8',
  TZ: 'UTC',
};

export class LabError extends Error {}

/** A snapshot of a busy lab (Docker, systemd) is some hundred KiB and takes a second on an emulated VM. */
const MAX_STATE_BYTES = 16 << 20;
const STATE_TIMEOUT_MS = 120_000;

/** Removes what crashed runs left on this host (their cgroups), once per process. */
export const sweepStaleLabs = (): Promise<void> => LOCAL.sweep();

export class Lab {
  private readonly sessions = new Map<string, Session>();
  private readonly starting = new Map<string, Promise<Session>>();
  private closed?: Promise<void>;
  /** The shell that takes the lab's snapshots, started with the first. */
  private observer?: Promise<Session>;

  /** The lab's own shell, its "lab" session: the lab lives as long as it does. */
  readonly shell: Session;
  /** The target's PID of the lab's PID 1. */
  readonly pid1: number;
  readonly target: Target;

  private constructor(target: Target, shell: Session, pid1: number) {
    this.target = target;
    this.shell = shell;
    this.pid1 = pid1;
    this.sessions.set(DEFAULT_SESSION, shell);
  }

  /** The lab's cgroup, in every hierarchy. */
  get name(): string {
    return `labbook-${this.shell.pid}`;
  }

  static async create(target: Target): Promise<Lab> {
    await target.connect();
    const init = ['bash', `${target.shellDir}/lab-init.sh`];
    const shell = await Session.start(DEFAULT_SESSION, init, CELL_ENV, target);
    const pid1 = Number(shell.facts.get('pid1'));
    if (!pid1) {
      shell.close();
      throw new LabError(`the lab on ${target.name} did not say the PID of its PID 1`);
    }
    return new Lab(target, shell, pid1);
  }

  /**
   * A session of the lab, started on first use, and again if its shell died (a cell killed
   * it): a named session is a process in the lab, not the lab itself. The lab session is
   * the lab: when it is gone, so is everything, and its cells say so.
   */
  session(name: string, spec?: SessionSpec): Promise<Session> {
    const existing = this.sessions.get(name);
    if (existing && (existing.alive || name === this.shell.name)) return Promise.resolve(existing);
    this.sessions.delete(name);
    if (!spec) return Promise.reject(new LabError(`the lab has no session "${name}"`));
    let starting = this.starting.get(name);
    if (!starting) {
      const flags = spec.namespaces.map((ns) => `--${ns}`);
      if (spec.namespaces.includes('mount')) flags.push('--propagation', 'private');
      const script = `${this.target.shellDir}/session.sh`;
      const argv = ['bash', script, 'enter', String(this.pid1), name, spec.hostname ?? '', ...flags];
      starting = Session.start(name, argv, CELL_ENV, this.target).then((s) => {
        this.sessions.set(name, s);
        return s;
      });
      starting.finally(() => this.starting.delete(name)).catch(() => {});
      this.starting.set(name, starting);
    }
    return starting;
  }

  /**
   * A snapshot of the lab's kernel objects (`__lb_state` of shell/lab-state.sh), taken by a shell
   * of its own in the lab's mount and network namespaces, outside its PID namespace and cgroup
   * (shell/lab-observe.sh): no cell ever runs there or sees it. A command line of a session
   * costs a few milliseconds where a call through the target (SSH to an emulated VM) costs a
   * quarter of a second.
   */
  async state(): Promise<LabState> {
    // After close, PID 1 is gone, and its number may be another process's.
    if (this.closed) throw new LabError('the lab is closed');
    this.observer ??= Session.start(
      'observer',
      ['bash', `${this.target.shellDir}/lab-observe.sh`, String(this.pid1)],
      CELL_ENV,
      this.target,
    );
    const observer = await this.observer;
    const r = await observer.run('(__lb_state)', { timeoutMs: STATE_TIMEOUT_MS, maxOutputBytes: MAX_STATE_BYTES });
    if (r.outcome !== 'ended' || r.exitCode !== 0 || r.droppedBytes) {
      throw new LabError(
        `the lab's snapshot ${r.outcome === 'ended' ? `ended with ${r.exitCode}` : r.outcome}${r.droppedBytes ? ', too large' : ''}`,
      );
    }
    return parseLabState(r.output.replaceAll('\r\n', '\n'));
  }

  forEachSession(fn: (s: Session) => void): void {
    for (const s of this.sessions.values()) fn(s);
  }

  /**
   * Ends every process of the lab and removes its cgroups. Safe to call more than once. On a
   * target that is gone, the lab died with the connection, and the next connect sweeps it.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      // The sweep kills PID 1 only while it is still in the lab's cgroup.
      const sweep = `exec bash ${shq(`${this.target.shellDir}/lab-sweep.sh`)} ${this.name} ${this.pid1}`;
      try {
        await this.target.exec(sweep);
      } finally {
        for (const s of this.sessions.values()) s.close();
        // It holds the lab's mount and network namespaces, which live as long as it does.
        (await this.observer?.catch(() => undefined))?.close();
      }
    })().catch((e: Error) => {
      if (!this.target.lost) throw e;
    });
    return this.closed;
  }
}
