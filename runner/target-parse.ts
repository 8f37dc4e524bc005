/**
 * What a `--target` value names: the one place that knows every kind of target.
 *
 * - absent or `local`: this host (LOCAL).
 * - `vm:NAME`: the running VM of that image of the matrix (`labbook vm up NAME`), over SSH
 *   with its own key and pinned host key (vm/state.ts); --identity and --known-hosts, when
 *   given, win over the VM's files.
 * - `matrix`, `vm`: every entry of the matrix, every VM of it (expandTargets); the commands
 *   that run on one target at a time take them.
 * - `ssh://[user@]host[:port]`: a RemoteTarget over the SSH transport (transport-ssh.ts).
 * - anything else: a command that runs a shell command line given as its last argument,
 *   split into words as a shell would (transport-command.ts).
 */
import { MATRIX } from '../src/cells/matrix.ts';
import { LOCAL, splitWords, type Target, TargetError, type TargetOptions } from './target.ts';
import { RemoteTarget } from './target-remote.ts';
import { commandTransport } from './transport-command.ts';
import { sshTransport } from './transport-ssh.ts';
import { vmTargetOptions } from './vm/state.ts';

/** The names of matrix entries `matrix` and `vm` stand for. */
const GROUPS: Record<string, () => string[]> = {
  matrix: () => MATRIX.map((e) => e.name),
  vm: () => MATRIX.filter((e) => e.vm).map((e) => e.name),
};

/** The targets a `--target` value names, one by one: several for `matrix` and `vm`. */
export function expandTargets(spec: string | undefined): (string | undefined)[] {
  const group = spec ? GROUPS[spec] : undefined;
  return group ? group() : [spec];
}

/** The target a `--target` value names. */
export function parseTarget(spec: string | undefined, options: TargetOptions = {}): Target {
  if (!spec || spec === 'local') return LOCAL;
  if (spec in GROUPS) {
    throw new TargetError(
      `--target ${spec} names several targets (${GROUPS[spec]?.().join(', ')}): this command takes one`,
    );
  }
  const vmImage = /^vm:(.+)$/.exec(spec)?.[1];
  if (vmImage) {
    if (!MATRIX.some((e) => e.name === spec)) {
      const vms = GROUPS.vm?.().join(', ');
      throw new TargetError(`--target ${spec}: the matrix has no such VM (it has ${vms})`);
    }
    const { address, ...vm } = vmTargetOptions(vmImage);
    // What the command line names explicitly wins over the VM's own files.
    return new RemoteTarget(
      spec,
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
