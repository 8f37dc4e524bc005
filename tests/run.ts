/**
 * `npm test`: the whole suite (vitest), wrapped in a check that the host is as it was, and
 * closed by the line CI reads: "N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { failedCells } from '../runner/ci-report.ts';
import { sweepStaleLabs } from '../runner/lab.ts';
import { baselineProblem } from '../runner/setup.ts';
import { differences, snapshot } from './host-state.ts';

// A machine without labbook's baseline (iproute2 on a minimal Debian) gets a sentence, not a stack trace.
const lacking = baselineProblem('npx labbook setup --tests');
if (lacking) {
  console.error(`npm test: ${lacking}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

// What a crashed earlier run left is swept first, as any start of the runner does.
await sweepStaleLabs();
const before = snapshot();
mkdirSync('.cache', { recursive: true });
// Each chapter run leaves its JUnit report there (runner/ci-report.ts): this run's only.
rmSync('.cache/junit', { recursive: true, force: true });
// The host's tests first, then the VMs of the matrix (tests/matrix) on their own: emulated
// guests beside the host's chapters would share two cores with them. Named files run as asked.
const phases = process.argv.length > 2 ? [process.argv.slice(2)] : [['--exclude', 'tests/matrix/**'], ['tests/matrix']];
const reports = phases.map((args, i) => {
  const report = `.cache/vitest-report-${i}.json`;
  rmSync(report, { force: true });
  const vitest = spawnSync(
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args],
    { stdio: 'inherit' },
  );
  return { report, status: vitest.status };
});
const changed = differences(before, snapshot());
if (changed.length) console.error(`\nThe host is not as it was before the tests:\n  ${changed.join('\n  ')}`);
else
  console.log(
    '\nThe host is as it was before the tests (links, addresses, routes, iptables rules, netns, mounts, cgroups, taps, processes, Docker Engine files, temporary files).',
  );

interface FileResult {
  status: string;
  assertionResults: { status: string }[];
}
// Counted per test; a test that did not run because its file failed (a failing beforeAll)
// counts as failed, not skipped. A file that failed before any test counts as one failure.
let passed = 0;
let failed = 0;
let skipped = 0;
for (const { report, status } of reports) {
  const failedBefore = failed;
  try {
    const results: FileResult[] = JSON.parse(readFileSync(report, 'utf8')).testResults;
    for (const file of results) {
      const broken = file.status === 'failed';
      if (broken && !file.assertionResults.length) failed++;
      for (const t of file.assertionResults) {
        if (t.status === 'passed') passed++;
        else if (t.status === 'failed' || broken) failed++;
        else skipped++;
      }
    }
  } catch {
    console.error(`vitest wrote no report (${report}): counting that run as one failure`);
    failed++;
  }
  // vitest failing with no failed test in its report (an unhandled error) is one failure.
  if (status !== 0 && failed === failedBefore) failed++;
}
if (changed.length) failed++;
else passed++;
const junit = existsSync('.cache/junit') ? readdirSync('.cache/junit') : [];
if (junit.length) {
  console.log(`JUnit reports of the chapter runs, one per chapter and target: .cache/junit/ (${junit.length} files)`);
  // Read back from those reports: each cell that failed, at its line of the Markdown.
  const cells = junit.flatMap((f) => failedCells(readFileSync(`.cache/junit/${f}`, 'utf8')));
  for (const line of cells) console.log(`  failed: ${line}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed ? 1 : 0;
