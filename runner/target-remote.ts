/**
 * A target reached through a transport: a way to run one shell command line there (SSH, or
 * any command such as `limactl shell default`). Nothing but bash and the tutorial's commands
 * is needed there: at connect, one command (runner/shell/target-setup.sh, sent as the script
 * of `bash -c`) checks labbook's baseline and copies runner/shell/* into a private directory
 * (/dev/shm/labbook-target.XXXXXX, 0700; /dev/shm because labs mount their own /tmp, /run
 * and /var/tmp, which would hide it from the lab's scripts) and then stays, holding a lock on
 * that directory, until the runner closes its input. When the connection drops it ends and
 * removes the directory; a directory whose lock is free belongs to a run that is gone and is
 * swept by the next connect, with the cgroups of labs whose leader is gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installLines, missingScript, toolsOf } from '../src/cells/packages.ts';
import { type Command, LOCAL_SHELL_DIR, runCommand, shq, type Target, TargetError } from './target.ts';

export interface Transport {
  /** The local command that runs a shell command line on the target, in a terminal or not. */
  argv(commandLine: string, tty: boolean): string[];
  /** The local environment for those commands. */
  env: Record<string, string>;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** Run at connect as the script of `bash -c`; the one file of runner/shell not put there. */
const SETUP = 'target-setup.sh';
/** How the setup script starts the line that names the baseline tools the target lacks. */
const LACKS = 'labbook: the target lacks:';

/**
 * The command line that sets the target up and holds it (runner/shell/target-setup.sh): its
 * arguments are the baseline check (from the package map) and each file of runner/shell.
 */
export function setupCommandLine(shellDir = LOCAL_SHELL_DIR): string {
  const files = readdirSync(shellDir)
    .filter((f) => f !== SETUP)
    .sort()
    .flatMap((f) => [f, readFileSync(join(shellDir, f), 'utf8')]);
  const script = readFileSync(join(shellDir, SETUP), 'utf8');
  return ['bash', '-c', script, 'target-setup', missingScript(toolsOf(['baseline'])), ...files].map(shq).join(' ');
}

/** The setup script's stderr, with the packages that have what the target lacks. */
export function lacking(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith(LACKS));
  if (!line) return stderr.trim();
  const names = line.slice(LACKS.length).trim().split(/\s+/);
  const { debian, fedora } = installLines(names);
  return `it lacks ${names.join(', ')}, which labbook needs there: install them (Debian/Ubuntu: ${debian}; Fedora: ${fedora})`;
}

export class RemoteTarget implements Target {
  readonly name: string;
  lost?: string;
  private readonly transport: Transport;
  private dir = '';
  /** "sudo -n " when the login is not root. */
  private sudo = '';
  private holder?: ChildProcess;
  private connecting?: Promise<void>;
  private closing = false;

  constructor(name: string, transport: Transport) {
    this.name = name;
    this.transport = transport;
  }

  get shellDir(): string {
    return this.dir;
  }

  connect(): Promise<void> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  private async open(): Promise<void> {
    await this.transport.open();
    const uid = (await this.run('id -u')).trim();
    if (uid !== '0') {
      this.sudo = 'sudo -n ';
      await this.run('sudo -n true').catch((e: Error) => {
        throw new TargetError(`${this.name}: labs need root, and sudo asks for a password there: ${e.message}`);
      });
    }
    const [file, ...args] = this.transport.argv(`${this.sudo}${setupCommandLine()}`, false);
    const holder = spawn(file as string, args, { env: this.transport.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.holder = holder;
    this.dir = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      holder.stderr?.on('data', (d: Buffer) => {
        err += d;
      });
      holder.stdout?.on('data', (d: Buffer) => {
        out += d;
        const m = /labbook:dir=(\S+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      holder.once('error', (e) => reject(new TargetError(`${this.name}: ${e.message}`)));
      holder.once('exit', () => reject(new TargetError(`${this.name}: could not set up the target: ${lacking(err)}`)));
    });
    holder.once('exit', () => {
      if (!this.closing) this.lost = `lost the connection to the target ${this.name}`;
    });
  }

  private run(commandLine: string): Promise<string> {
    const [file, ...args] = this.transport.argv(commandLine, false);
    return runCommand(file as string, args, this.transport.env);
  }

  launch(argv: string[], env: Record<string, string>): Command {
    const vars = Object.entries(env).map(([k, v]) => shq(`${k}=${v}`));
    const line = `${this.sudo}env -i ${vars.join(' ')} ${argv.map(shq).join(' ')}`;
    const [file, ...args] = this.transport.argv(line, true);
    return { file: file as string, args, env: this.transport.env };
  }

  exec(script: string): Promise<string> {
    if (this.lost) return Promise.reject(new TargetError(this.lost));
    return this.run(`${this.sudo}bash -c ${shq(script)}`).catch((e: Error) => {
      // ssh's own failure (exit 255 with no remote output) means the connection is gone.
      if (
        this.holder?.exitCode !== null ||
        /Control socket connect|Connection (refused|closed|reset)|timed out/.test(e.message)
      ) {
        this.lost ??= `lost the connection to the target ${this.name}: ${e.message}`;
      }
      throw e;
    });
  }

  async checkLost(): Promise<string | undefined> {
    if (!this.lost) await this.exec('true').catch(() => {});
    return this.lost;
  }

  async close(): Promise<void> {
    this.closing = true;
    // A close during a connect waits for it: the transport's open would otherwise make its
    // control directory after this close removed the earlier one.
    await this.connecting?.catch(() => {});
    const holder = this.holder;
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const ended = new Promise((resolve) => holder.once('exit', resolve));
      holder.stdin?.end();
      const timer = setTimeout(() => holder.kill('SIGKILL'), 10_000);
      await ended;
      clearTimeout(timer);
    }
    await this.transport.close();
  }
}
