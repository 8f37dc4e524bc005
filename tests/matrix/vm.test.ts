/**
 * The chapters on the VMs of the matrix (src/cells/matrix.ts): each VM is started for this
 * file (resumed from its saved state; built and saved first on a machine that has none, a few
 * minutes), every chapter runs there in its own lab and must match that entry's recording,
 * and the VM is stopped after. npm test runs this file after the others (tests/run.ts), so
 * the emulated guests do not share the two cores with the host's own chapters.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { ciReport, junitFile } from '../../runner/ci-report.ts';
import { scaleFor } from '../../runner/commands/on-target.ts';
import { Lab } from '../../runner/lab.ts';
import type { Target } from '../../runner/target.ts';
import { parseTarget } from '../../runner/target-parse.ts';
import { runningVm } from '../../runner/vm/state.ts';
import { vmDown, vmUp } from '../../runner/vm/vm.ts';
import { listChapters } from '../../src/cells/chapters.ts';
import { checkRun } from '../../src/cells/check-run.ts';
import { MATRIX } from '../../src/cells/matrix.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import { differences, type HostState, targetSnapshot } from '../host-state.ts';
import { problemText } from '../problem-text.ts';

const chapters = listChapters()
  .map((c) => ({ ...c, chapter: loadChapter(c.file) }))
  .filter((c) => c.chapter.cells.length > 0);
const log = (text: string) => console.log(`  ${text}`);
const labbook = new URL('../../runner/bin/labbook.js', import.meta.url).pathname;
const cli = (...args: string[]) => promisify(execFile)(process.execPath, [labbook, ...args], { timeout: 60_000 });

describe.each(MATRIX.filter((e) => e.vm))('on $name', ({ name, vm }) => {
  const image = vm as NonNullable<typeof vm>;
  let target: Target;
  let started = false;
  let before: HostState;
  beforeAll(async () => {
    started = await vmUp(image, log);
    target = parseTarget(name);
  }, 900_000);
  afterAll(async () => {
    await target?.close();
    if (started) await vmDown(image, log);
    if (started) expect(runningVm(image.name)).toBeUndefined();
  }, 60_000);

  it('is up, and labbook vm says so and how to reach it', async () => {
    const { stdout } = await cli('vm', 'up', image.name);
    expect(stdout).toContain(`${image.name} already runs`);
    expect(stdout).toMatch(new RegExp(`--target ${name} +\\(the same as: --target ssh://root@127\\.0\\.0\\.1:\\d+ `));
    await expect(cli('vm', 'status', image.name)).resolves.toMatchObject({
      stdout: expect.stringContaining('running: QEMU pid'),
    });
  });

  it('stops, and starts again from its saved state in seconds', async (context) => {
    // A VM that was up before the tests is someone's: it is used, not restarted.
    if (!started) context.skip();
    await vmDown(image, log);
    expect(runningVm(image.name)).toBeUndefined();
    const t0 = performance.now();
    expect(await vmUp(image, log)).toBe(true);
    // 3.5 s on the reference machine without KVM (bench/vm-start.ts); a cold boot takes 40 s or more.
    expect((performance.now() - t0) / 1000).toBeLessThan(20);
    await target.close();
    target = parseTarget(name);
  }, 120_000);

  it('notes its links, mounts, cgroups and systemd units before the chapters', async () => {
    await target.connect();
    before = await targetSnapshot(target);
    expect(before.units?.length, 'systemd lists its units there').toBeGreaterThan(0);
    expect(before.cgroups.length).toBeGreaterThan(0);
  });

  it.each(chapters)(
    'chapter $slug runs there and matches its recording',
    { timeout: 600_000 },
    async ({ slug, file, chapter }) => {
      // Without KVM the guest runs about ten times slower: scaled as `labbook check --target vm:…` does.
      const fresh = await runChapter(chapter, slug, { target, timeoutScale: scaleFor(name, undefined) });
      expect(fresh.environment.target).toBe(name);
      const { problems } = checkRun(name, file, chapter.cells, fresh);
      ciReport([{ spec: name, slug, file, cells: chapter.cells, fresh, problems }], junitFile(name, slug));
      expect(problemText(problems)).toBe('');
    },
  );

  it("stops a cell's unit bound to the lab when the lab's leader is killed, and the lab's scope with it", async () => {
    const lab = await Lab.create(target);
    const unit = 'labbook-bound.service';
    const r = await lab.shell.run(
      `systemd-run -M .host --quiet --collect --unit=${unit} -p BindsTo="$LAB_UNIT" -p After="$LAB_UNIT" sleep 300 && systemctl -M .host is-active ${unit}`,
      { timeoutMs: 30_000 },
    );
    expect(r.output.trim()).toBe('active');
    // A crash, not a close: the runner's sweep does not run; systemd alone must stop them.
    await target.exec(`kill -KILL ${lab.name.slice('labbook-'.length)}`);
    const listed = `systemctl list-units --all --no-legend --plain ${unit} ${lab.name}.scope`;
    let left = await target.exec(listed);
    for (let i = 0; i < 100 && left.trim(); i++) {
      await sleep(200);
      left = await target.exec(listed);
    }
    expect(left.trim()).toBe('');
    await lab.close();
  }, 60_000);

  it('is as it was before the chapters: no link, mount, cgroup or systemd unit left', async () => {
    // A lab's scope is removed by systemd once its processes are gone: polled, not slept.
    let changed: string[] = [];
    for (let i = 0; i < 50; i++) {
      changed = differences(before, await targetSnapshot(target));
      if (!changed.length) break;
      await sleep(200);
    }
    expect(changed).toEqual([]);
  }, 60_000);
});
