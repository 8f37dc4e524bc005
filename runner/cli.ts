/**
 * labbook: run, record and check the chapters' cells, and tell what a target can run.
 * One module per command in commands/; this file finds the command, parses its own options
 * and turns the errors a user can fix into a message and an exit code (commands/command.ts).
 * Exit codes: 0 ok, 1 a cell failed or differs, 2 bad input (usage, authoring error,
 * unreachable target).
 */
import { check } from './commands/check.ts';
import { type Command, parseInvocation, TARGET_USAGE, UsageError, userFacing } from './commands/command.ts';
import { doctor } from './commands/doctor.ts';
import { exportCommand } from './commands/export.ts';
import { record } from './commands/record.ts';
import { run } from './commands/run.ts';
import { serve } from './commands/serve.ts';
import { setup } from './commands/setup.ts';
import { vm } from './commands/vm.ts';

const COMMANDS = { run, record, check, export: exportCommand, setup, doctor, serve, vm } as unknown as Record<
  string,
  Command
>;

const USAGE = `usage: labbook <command> [options]

${Object.values(COMMANDS)
  .map((c) => `  ${c.usage}`)
  .join('\n')}

A chapter is a slug of src/content/docs (namespace) or a path to a Markdown file.
run, record, check, doctor and serve take:
${TARGET_USAGE}
labbook <command> --help shows this text.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  try {
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command.run(parseInvocation(name, command, rest, COMMANDS));
  } catch (e) {
    if (e instanceof UsageError) console.error(`labbook${COMMANDS[name] ? ` ${name}` : ''}: ${e.message}\n\n${USAGE}`);
    else if (userFacing(e)) console.error(userFacing(e));
    else throw e;
    return 2;
  }
}
