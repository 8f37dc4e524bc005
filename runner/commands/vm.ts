/** `labbook vm up|down|status|target [IMAGE...]`: the matrix's Debian VMs under QEMU. */
import { vmCommand } from '../vm/vm.ts';
import { defineCommand } from './command.ts';

export const vm = defineCommand({
  usage: `vm up|down|status|target [IMAGE...]
                              the matrix's Debian VMs under QEMU (debian12, debian13; all when
                              none is named): built on first up, then resumed in seconds`,
  options: {},
  takes: 'any',
  run: ({ names }) => vmCommand(names[0], names.slice(1)),
});
