/**
 * What a `--target` value names: the one place that knows every kind of target.
 *
 * - absent or `local`: this host (LOCAL).
 * - `vm`: the running VM of `labbook vm`, over SSH with its own key and pinned host key
 *   (vm/state.ts); --identity and --known-hosts, when given, win over the VM's files.
 * - `ssh://[user@]host[:port]`: a RemoteTarget over the SSH transport (transport-ssh.ts).
 * - anything else: a command that runs a shell command line given as its last argument,
 *   split into words as a shell would (transport-command.ts).
 */
import { LOCAL, splitWords, type Target, TargetError, type TargetOptions } from './target.ts';
import { RemoteTarget } from './target-remote.ts';
import { commandTransport } from './transport-command.ts';
import { sshTransport } from './transport-ssh.ts';
import { vmTargetOptions } from './vm/state.ts';

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
