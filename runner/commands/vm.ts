/** `labbook vm up|down|status|target`: the project's Debian VM under QEMU. */
import { vmCommand } from '../vm/vm.ts';
import { defineCommand } from './command.ts';

export const vm = defineCommand({
  usage: 'vm up|down|status|target    a Debian 12 VM under QEMU for the cells (built on first up)',
  options: {},
  takes: 'any',
  run: ({ names }) => vmCommand(names[0]),
});
