/**
 * A target reached through a transport: a way to run one shell command line there (SSH, or
 * any command such as `limactl shell default`). Nothing but bash and the tutorial's commands
 * is needed there: at connect, one command copies runner/shell/* into a private directory
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
import {
  type Command,
  LOCAL,
  LOCAL_SHELL_DIR,
  localEnv,
  runCommand,
  shq,
  splitWords,
  type Target,
  TargetError,
  type TargetOptions,
} from './target.ts';
import { sshTransport } from './target-ssh.ts';
import { vmTargetOptions } from './vm/state.ts';

export interface Transport {
  /** The local command that runs a shell command line on the target, in a terminal or not. */
  argv(commandLine: string, tty: boolean): string[];
  /** The local environment for those commands. */
  env: Record<string, string>;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** `limactl shell default`, `multipass exec vm -- bash -c`: the command line is appended. */
export function commandTransport(words: string[]): Transport {
  return {
    argv: (commandLine) => [...words, commandLine],
    env: localEnv(),
    open: async () => {},
    close: async () => {},
  };
}

const LACKS = 'labbook: the target lacks:';

function setupScript(files: Map<string, string>): string {
  const copies = [...files].map(([name, text]) => {
    const end = `LABBOOK_EOF_${name.replace(/\W/g, '_')}`;
    return `cat >"$d/${name}" <<'${end}'\n${text}${text.endsWith('\n') ? '' : '\n'}${end}`;
  });
  return `set -eu
missing=$(
${missingScript(toolsOf(['baseline']))}
)
[ -z "$missing" ] || { echo "${LACKS}" $missing >&2; exit 1; }
umask 077
# Locked before it gets its final name, so a sweeper never sees it unlocked.
new=$(mktemp -d /dev/shm/labbook-new.XXXXXX)
exec 9<"$new"
flock 9
d=/dev/shm/labbook-target.\${new##*.}
mv "$new" "$d"
trap 'rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM PIPE
for old in /dev/shm/labbook-target.*; do
  [ "$old" = "$d" ] || flock -n "$old" rm -rf "$old" 2>/dev/null || true
done
${copies.join('\n')}
bash "$d/lab-sweep.sh"
echo "labbook:dir=$d"
# Held until the runner closes this command's input, or the connection drops.
cat >/dev/null
`;
}

/** The setup script's stderr, with the packages that have what the target lacks. */
function lacking(stderr: string): string {
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
    const files = new Map(readdirSync(LOCAL_SHELL_DIR).map((f) => [f, readFileSync(join(LOCAL_SHELL_DIR, f), 'utf8')]));
    const [file, ...args] = this.transport.argv(`${this.sudo}bash -c ${shq(setupScript(files))}`, false);
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

/** The target a `--target` value names. */
export function parseTarget(spec: string | undefined, options: TargetOptions = {}): Target {
  if (!spec || spec === 'local') return LOCAL;
  if (spec === 'vm') {
    const { address, ...vm } = vmTargetOptions();
    // What the command line names explicitly wins over the VM's own files.
    return new RemoteTarget(
      'labbook vm',
      sshTransport(address, {
        identity: options.identity ?? vm.identity,
        knownHosts: options.knownHosts ?? vm.knownHosts,
      }),
    );
  }
  if (spec.startsWith('ssh://')) return new RemoteTarget(spec, sshTransport(spec, options));
  const words = splitWords(spec);
  if (!words.length) throw new TargetError(`--target: "${spec}" names no command`);
  return new RemoteTarget(spec, commandTransport(words));
}
