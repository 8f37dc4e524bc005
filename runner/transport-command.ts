/**
 * The command transport: any local command that runs a shell command line on the target,
 * given as its last argument (`limactl shell default`, `multipass exec vm -- bash -c`,
 * `sh -c`). It keeps no connection of its own: each command line is one run of it.
 */
import { localEnv } from './target.ts';
import type { Transport } from './target-remote.ts';

export function commandTransport(words: string[]): Transport {
  return {
    argv: (commandLine) => [...words, commandLine],
    env: localEnv(),
    open: async () => {},
    close: async () => {},
  };
}
