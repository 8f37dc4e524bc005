/** `labbook doctor`: what the target can run, what it lacks and how to get it, and which cells it skips. */
import { styleText } from 'node:util';
import { type Capability, skipReason } from '../../src/cells/capabilities.ts';
import { listChapters } from '../../src/cells/chapters.ts';
import { CELL_COMMANDS, installLines } from '../../src/cells/packages.ts';
import { type Cell, type Chapter, loadChapter } from '../../src/cells/parse.ts';
import { Lab } from '../lab.ts';
import { ALL_CAPABILITIES, probeCapabilities, probeEnvironment } from '../probe.ts';
import { LOCAL, type Target } from '../target.ts';
import { defineCommand, TARGET_OPTIONS } from './command.ts';
import { onTarget } from './on-target.ts';

export const doctor = defineCommand({
  usage: 'doctor                      what the target can run, and which cells it will skip',
  options: TARGET_OPTIONS,
  takes: 'nothing',
  run: ({ values }) => onTarget(values, ({ target }) => diagnose(target)),
});

async function diagnose(target: Target): Promise<number> {
  const chapters: Chapter[] = listChapters().map((c) => loadChapter(c.file));
  const lab = await Lab.create(target);
  let found: Map<Capability, boolean>;
  try {
    const env = await probeEnvironment(lab.shell, target.name);
    console.log(`target: ${env.target}, ${env.distro}, kernel ${env.kernel} (${env.arch}), cgroup ${env.cgroup}`);
    console.log(`iproute2 ${env.iproute2}, util-linux ${env.utilLinux}\n`);
    const commands = CELL_COMMANDS.map((c) => `cmd:${c}` as Capability);
    const required = chapters.flatMap((ch) => ch.cells.flatMap((c) => c.requires));
    found = await probeCapabilities(lab.shell, [...ALL_CAPABILITIES, ...commands, ...required]);
  } finally {
    await lab.close();
  }
  const lacking: string[] = [];
  for (const [cap, ok] of found) {
    if (!ok && cap.startsWith('cmd:')) lacking.push(cap.slice(4));
    console.log(
      `${ok ? styleText('green', 'yes') : styleText('yellow', 'no ')}  ${cap}${ok ? '' : `: ${skipReason(cap)}`}`,
    );
  }
  if (lacking.length) {
    const { debian, fedora } = installLines(lacking);
    console.log(`\nTo install the missing commands${target === LOCAL ? ' (labbook setup does it here)' : ' there'}:`);
    console.log(`  Debian/Ubuntu: ${debian}`);
    console.log(`  Fedora:        ${fedora}`);
  }
  const skipped: [Chapter, Cell, string][] = [];
  for (const ch of chapters) {
    for (const cell of ch.cells) {
      const missing = cell.requires.find((r) => !found.get(r));
      if (missing) skipped.push([ch, cell, skipReason(missing)]);
    }
  }
  console.log(
    skipped.length
      ? `\n${skipped.length} cells will be skipped on this target:`
      : '\nNo cell will be skipped on this target.',
  );
  for (const [ch, cell, why] of skipped)
    console.log(`  ${ch.file.replace(/.*src\/content\/docs\//, '')}:${cell.line} ${cell.id}: ${why}`);
  return 0;
}
