/**
 * `npm test`: the whole suite (vitest), wrapped in a check that the host is as it was, and
 * closed by the line CI reads: "N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { sweepStaleLabs } from '../runner/lab.ts';
import { differences, snapshot } from './host-state.ts';

// What a crashed earlier run left is swept first, as any start of the runner does.
await sweepStaleLabs();
const before = snapshot();
mkdirSync('.cache', { recursive: true });
const report = '.cache/vitest-report.json';
const vitest = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
const changed = differences(before, snapshot());
if (changed.length) console.error(`\nThe host is not as it was before the tests:\n  ${changed.join('\n  ')}`);
else
  console.log(
    '\nThe host is as it was before the tests (links, addresses, routes, netns, mounts, cgroups, taps, processes).',
  );

let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 };
try {
  counts = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.error('vitest wrote no report: counting the whole run as one failure');
  counts.numFailedTests = 1;
}
const passed = counts.numPassedTests + (changed.length ? 0 : 1);
const failed = counts.numFailedTests + (changed.length ? 1 : 0);
const skipped = counts.numPendingTests + counts.numTodoTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed || vitest.status !== 0 ? 1 : 0;
