/** `labbook setup [--tests] [--dry-run]`: install what this machine lacks, with apt-get or dnf. */
import { ensureTools, reinstallUnderProjectNode } from '../setup.ts';
import { defineCommand } from './command.ts';

export const setup = defineCommand({
  usage: `setup [--tests] [--dry-run] install what this machine lacks, with apt-get or dnf: labbook's
                              baseline and the commands of the chapters' cells
                              (--tests: also Chromium, Chinese fonts and sshd for the test suite;
                              --dry-run: print what it would install)`,
  options: {
    tests: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
  takes: 'nothing',
  async run({ values }) {
    if (!values['dry-run'] && (await reinstallUnderProjectNode()) !== 0) return 1;
    return ensureTools({
      groups: values.tests ? ['baseline', 'cells', 'tests'] : ['baseline', 'cells'],
      dryRun: values['dry-run'],
    });
  },
});
