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

/** Removes what crashed runs left on this host (their cgroups), once per process. */
export const sweepStaleLabs = (): Promise<void> => LOCAL.sweep();

export class Lab {
  private readonly sessions = new Map<string, Session>();
  private readonly starting = new Map<string, Promise<Session>>();
  private closed?: Promise<void>;

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
   * A snapshot of the lab's kernel objects (shell/lab-state.sh, one call on the target), from
   * the lab's own namespaces: the lab's copy of the script, which a remote target has too.
   */
  async state(): Promise<LabState> {
    const script = `exec nsenter --target ${this.pid1} --mount --net --pid --cgroup -- bash /run/labbook/shell/lab-state.sh`;
    return parseLabState(await this.target.exec(script));
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
      }
    })().catch((e: Error) => {
      if (!this.target.lost) throw e;
    });
    return this.closed;
  }
}
