/**
 * A fresh machine lacks the chapters' tools. Every chapter is run here through a target
 * that hides every cell command of the package map (each is covered by /dev/null in a
 * mount namespace of the target's own): a cell that needs one is skipped with the package
 * that has it, and no cell fails, times out or errors for want of it.
 */
import { describe, expect, it } from 'vitest';
import { runChapter } from '../../runner/chapter-run.ts';
import { Lab } from '../../runner/lab.ts';
import { probeCapabilities } from '../../runner/probe.ts';
import { LOCAL, shq, type Target, TargetError } from '../../runner/target.ts';
import { parseTarget } from '../../runner/target-parse.ts';
import { listChapters } from '../../src/cells/chapters.ts';
import { plainText } from '../../src/cells/normalize.ts';
import { CELL_COMMANDS, TOOLS } from '../../src/cells/packages.ts';
import { loadChapter } from '../../src/cells/parse.ts';
import { reasonText } from '../../src/cells/reasons.ts';
import type { Recording } from '../../src/cells/recording.ts';

const HIDE = `for t in ${CELL_COMMANDS.join(' ')}; do
  p=$(command -v "$t") && mount --bind /dev/null "$(readlink -f "$p")"
done
exec bash -c "$1"`;

describe('every chapter on a machine without the cells’ commands', () => {
  it('skips each cell that needs one, naming its package, and fails none', async () => {
    const target = parseTarget(`unshare --mount --propagation private bash -c ${shq(HIDE)} hide`);
    try {
      const chapters = listChapters().map((c) => ({ ...c, chapter: loadChapter(c.file) }));
      const runs: [string, Recording][] = [];
      // Two at a time, as labbook record does.
      for (let i = 0; i < chapters.length; i += 2) {
        const pair = chapters.slice(i, i + 2);
        runs.push(
          ...(await Promise.all(
            pair.map(
              async (c): Promise<[string, Recording]> => [c.slug, await runChapter(c.chapter, c.slug, { target })],
            ),
          )),
        );
      }
      const skippedForTools: string[] = [];
      for (const [slug, recording] of runs) {
        const cells = chapters.find((c) => c.slug === slug)?.chapter.cells ?? [];
        for (const r of recording.cells) {
          const cell = cells.find((c) => c.id === r.id);
          const reason = reasonText(r);
          const where = `${slug}: ${r.id}: ${r.status}${reason ? ` (${reason})` : ''}`;
          // A cell that did not pass says what it printed: the only trace of a run on a fresh machine.
          expect(['passed', 'skipped'], `${where}; its output:\n${plainText(r.output).slice(-1500)}`).toContain(
            r.status,
          );
          const command = cell?.requires.find((q) => q.startsWith('cmd:'))?.slice(4);
          if (!command) continue;
          expect(r.status, where).toBe('skipped');
          if (r.missing?.startsWith('cmd:')) {
            expect(reason, where).toMatch(/^needs the command /);
            expect(reason, where).toContain(TOOLS[command]?.debian);
            skippedForTools.push(`${slug}:${r.id}`);
          }
        }
      }
      // Most of the tutorial needs one tool or another: the hiding really happened.
      expect(skippedForTools.length).toBeGreaterThan(40);
    } finally {
      await target.close();
    }
  }, 240_000);
});

describe('a target without labbook’s baseline', () => {
  it('says at connect which commands it lacks and the packages that have them', async () => {
    const hide = `mount --bind /dev/null "$(readlink -f "$(command -v flock)")" && exec bash -c "$1"`;
    const target = parseTarget(`unshare --mount --propagation private bash -c ${shq(hide)} hide`);
    try {
      const error = await target.connect().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(TargetError);
      expect(error?.message).toMatch(
        /could not set up the target: it lacks flock, which labbook needs there: install them \(Debian\/Ubuntu: apt-get install --no-install-recommends util-linux; Fedora: dnf install util-linux\)$/,
      );
    } finally {
      await target.close();
    }
  });
});

describe('a target whose packages are not dpkg’s', () => {
  // As on a Fedora with dpkg installed: the command is there, its database knows nothing.
  it('lacks dpkg-packages, which this Debian machine has', async () => {
    const hide = `mount -t tmpfs empty /var/lib/dpkg && exec bash -c "$1"`;
    const target = parseTarget(`unshare --mount --propagation private bash -c ${shq(hide)} hide`);
    const probe = async (on: Target) => {
      const lab = await Lab.create(on);
      try {
        return (await probeCapabilities(lab.shell, ['cmd:dpkg', 'dpkg-packages'])).get('dpkg-packages');
      } finally {
        await lab.close();
      }
    };
    try {
      expect(await probe(LOCAL)).toBe(true);
      expect(await probe(target)).toBe(false);
    } finally {
      await target.close();
    }
  });
});
