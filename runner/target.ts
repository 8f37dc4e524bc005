/**
 * A target: the Linux machine whose kernel runs the labs. The runner drives it through
 * three operations, so labs, sessions, timeouts and sweeps behave the same everywhere:
 * `launch` (the command a session's PTY runs), `exec` (a one-off root shell command, for
 * signals and sweeps) and the directory holding runner/shell/* there.
 *
 * - local: this host (LOCAL, the default of `--target`); the scripts run from runner/shell.
 * - ssh://user@host[:port]: one multiplexed SSH connection for everything (transport-ssh.ts).
 * - any command that opens a shell there, given one shell command line as its last argument
 *   (`limactl shell default`, `multipass exec vm -- bash -c`, `sh -c`; transport-command.ts).
 * - vm: the VM of `labbook vm` (vm/state.ts).
 * target-parse.ts turns a `--target` value into one of them; target-remote.ts drives the
 * remote ones over their transport.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const LOCAL_SHELL_DIR = join(dirname(fileURLToPath(import.meta.url)), 'shell');

export class TargetError extends Error {}

export interface Command {
  file: string;
  args: string[];
  env: Record<string, string>;
}

export interface Target {
  /** What the environment stamp of a recording says. */
  readonly name: string;
  /** Where runner/shell/* are on the target (valid after connect). */
  readonly shellDir: string;
  /** Why the target can no longer be reached, once it cannot. */
  readonly lost?: string;
  /** Why the target cannot be reached now (it is asked), or undefined when it can. */
  checkLost(): Promise<string | undefined>;
  /** Gets the target ready (idempotent): root, the scripts in place, crashed runs swept. */
  connect(): Promise<void>;
  /** The command that runs argv as root on the target, in a terminal, with only env set. */
  launch(argv: string[], env: Record<string, string>): Command;
  /** Runs a shell command line as root on the target; rejects with its stderr if it fails. */
  exec(script: string): Promise<string>;
  /** Ends the connection and removes what connect put on the target. */
  close(): Promise<void>;
}

const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** Quotes a word for a POSIX shell. */
export function shq(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Splits a command line into words as a shell would: quotes and backslashes, no expansions. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && '$`"\\\n'.includes(line[i + 1] ?? '')) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word ??= '';
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < line.length) word += line[++i];
      else word += c;
    }
  }
  if (quote) throw new TargetError(`unbalanced ${quote} in "${line}"`);
  if (word !== undefined) words.push(word);
  return words;
}

const execFileAsync = promisify(execFile);

/** Runs a command to its end; rejects with a TargetError carrying its stderr. */
export async function runCommand(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, args, { env, maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new TargetError(err.stderr?.trim() || err.message);
  }
}

/** This process's environment, for the local commands that reach a target (ssh needs HOME). */
export function localEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

class LocalTarget implements Target {
  readonly name = 'local';
  readonly shellDir = LOCAL_SHELL_DIR;
  private swept?: Promise<void>;

  /** Removes what crashed runs left on this host (their cgroups), once per process. */
  sweep(): Promise<void> {
    this.swept ??= runCommand('bash', [join(LOCAL_SHELL_DIR, 'lab-sweep.sh')]).then(() => undefined);
    return this.swept;
  }

  connect(): Promise<void> {
    if (process.getuid?.() !== 0) {
      return Promise.reject(new TargetError('labs need root: run labbook as root (for example with sudo)'));
    }
    return this.sweep();
  }

  launch(argv: string[], env: Record<string, string>): Command {
    const [file = 'bash', ...args] = argv;
    return { file, args, env };
  }

  exec(script: string): Promise<string> {
    return runCommand('bash', ['-c', script]);
  }

  async checkLost(): Promise<undefined> {}

  async close(): Promise<void> {}
}

/** This host: the one local target of the process, so that its sweep runs once. */
export const LOCAL = new LocalTarget();

export interface TargetOptions {
  /** ssh: the private key to log in with. */
  identity?: string;
  /** ssh: the known_hosts file to check the host key against (default: the user's). */
  knownHosts?: string;
}
