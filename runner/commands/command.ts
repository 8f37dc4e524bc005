/**
 * What every labbook command is: its usage, its own options, how many chapters it takes,
 * and what it does. The dispatcher (cli.ts) parses a command's arguments against its own
 * options only, so an option of another command is an error naming whose it is.
 *
 *   export const check = defineCommand({
 *     usage: 'check [chapter...]   run chapters and compare with their recordings',
 *     options: { ...TARGET_OPTIONS, ...JOBS },
 *     chapters: 'any',
 *     run: async ({ values, names }) => 0,
 *   });
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { ChapterErrors, NoSuchChapter } from '../../src/cells/errors.ts';
import { LabError } from '../lab.ts';
import { TargetError } from '../target.ts';

/** A mistake in the command line: the command's usage follows it. */
export class UsageError extends Error {}

export interface Invocation<O extends ParseArgsOptionsConfig> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
  /** The chapters (or, for vm, the action) named after the command. */
  names: string[];
}

export interface Command<O extends ParseArgsOptionsConfig = ParseArgsOptionsConfig> {
  /** Its lines of the usage text, starting with the command's name and arguments. */
  usage: string;
  options: O;
  /** Rewrites its arguments before they are parsed (an option that may go without its value). */
  arguments?: (argv: string[]) => string[];
  /** What may follow the command: no word, exactly one, or any number (none: all chapters). */
  takes: 'nothing' | 'one' | 'any';
  run(invocation: Invocation<O>): Promise<number>;
}

export function defineCommand<O extends ParseArgsOptionsConfig>(command: Command<O>): Command<O> {
  return command;
}

/**
 * Parses argv against the command's own options; an unknown option is named with the
 * commands that do take it, so the fix is plain.
 */
export function parseInvocation<O extends ParseArgsOptionsConfig>(
  name: string,
  command: Command<O>,
  argv: string[],
  all: Record<string, Command>,
): Invocation<O> {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;
  try {
    const args = command.arguments ? command.arguments(argv) : argv;
    parsed = parseArgs({ args, options: command.options, allowPositionals: true, strict: true });
  } catch (e) {
    const option = /'(--?[\w-]+)/.exec((e as Error).message)?.[1];
    const flag = option?.replace(/^-+/, '');
    const owners = flag ? Object.keys(all).filter((n) => flag in (all[n]?.options ?? {})) : [];
    throw new UsageError(
      owners.length && option
        ? `${option} is not an option of ${name}: it is one of ${owners.join(', ')}`
        : (e as Error).message,
    );
  }
  const names = parsed.positionals;
  if (command.takes === 'nothing' && names.length)
    throw new UsageError(`unexpected "${names[0]}": ${name} takes no chapter`);
  if (command.takes === 'one' && names.length !== 1)
    throw new UsageError(`${name} takes one chapter, not ${names.length}`);
  return { values: parsed.values, names };
}

/** The errors a user can fix, as the message to print; anything else is a bug and is thrown on. */
export function userFacing(e: unknown): string | undefined {
  if (e instanceof ChapterErrors || e instanceof LabError || e instanceof TargetError) return e.message;
  if (e instanceof NoSuchChapter) return `labbook: ${e.message}`;
  return undefined;
}

/** `--target` and what goes with it, for the commands that make labs. */
export const TARGET_OPTIONS = {
  target: { type: 'string' },
  identity: { type: 'string' },
  'known-hosts': { type: 'string' },
  'timeout-scale': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const TARGET_USAGE = `  --target T          where the labs run: local (default), vm:debian12 or vm:debian13 (a VM of
                      "labbook vm", started for the command if it is not up), ssh://user@host[:port],
                      or a command that runs a shell command line there, given as its last
                      argument ('limactl shell default', 'sh -c'); record and check also take
                      matrix (every entry in turn) and vm (every VM)
  --identity FILE     ssh: the private key to log in with
  --known-hosts FILE  ssh: the known_hosts to check the host key against (default: yours)
  --timeout-scale N   multiply every cell's timeout by N on a slow target (default 1, and 10
                      on a VM without KVM, which runs about 10 times slower)`;

export const JOBS_OPTION = { jobs: { type: 'string', default: '2' } } as const satisfies ParseArgsOptionsConfig;

export function wholeNumber(value: string | undefined, option: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option} takes a whole number from ${min}`);
  return n;
}

export function timeoutScale(value: string | undefined): number {
  const n = Number(value);
  if (!(n > 0)) throw new UsageError('--timeout-scale takes a number above 0');
  return n;
}
