/**
 * Lint: a cell that calls a command of the package map (src/cells/packages.ts) beyond
 * labbook's baseline must require it (cmd:NAME, or another command of the same package, in
 * the cell or in the chapter's lab.requires), so that a machine without it skips the cell
 * with the package to install instead of failing it.
 */
import { describe, expect, it } from 'vitest';
import { listChapters } from '../../src/cells/chapters.ts';
import { CELL_COMMANDS, TOOLS } from '../../src/cells/packages.ts';
import { type Cell, loadChapter } from '../../src/cells/parse.ts';

const escapeRe = (s: string) => s.replace(/[.+]/g, '\\$&');

/**
 * The map's cell commands a cell's code calls: as a word of its own, or at the end of a path
 * (/bin/busybox); a name that is also a word (docker) only where a command starts: at the
 * start of a line, after | ; & ( ` ! or a keyword, and not followed by | as in a pattern (docker|slice).
 * A JSON key ("iptables": false) is not a call.
 */
function commandsCalled(code: string): string[] {
  return CELL_COMMANDS.filter((name) =>
    TOOLS[name]?.alsoAWord
      ? new RegExp(`(?:^|[|;&(\`!]|\\b(?:then|do|else|exec|time)\\s)\\s*${escapeRe(name)}(?![\\w.\\-/|])`, 'm').test(
          code,
        )
      : new RegExp(`(?<![\\w.\\-/])(?:/?[\\w.-]+/)*${escapeRe(name)}(?![\\w.\\-/]|":)`).test(code),
  );
}

/** The packages a cell calls a command of without requiring any command of that package. */
function undeclared(cell: Cell): string[] {
  const declared = new Set(cell.requires.filter((r) => r.startsWith('cmd:')).map((r) => TOOLS[r.slice(4)]?.debian));
  return [...new Set(commandsCalled(cell.code).filter((c) => !declared.has(TOOLS[c]?.debian)))];
}

describe('commandsCalled', () => {
  it('finds a command as a word, in a path, a pipeline or a quoted command line', () => {
    expect(commandsCalled('cp /bin/busybox bin/')).toEqual(['busybox']);
    expect(commandsCalled('ip netns exec left ping -c1 10.0.0.2 | grep received')).toEqual(['ping']);
    expect(commandsCalled(`sh -c "iptables -S; cgcreate -g cpu:/x"`)).toEqual(['cgcreate', 'iptables']);
  });

  it('does not take a longer name, an option or a file name for the command', () => {
    expect(commandsCalled('systemd-cgls --no-pager')).toEqual(['systemd-cgls']);
    expect(commandsCalled('cat /tmp/ping.txt; echo --ping; ls pinger')).toEqual([]);
    expect(commandsCalled(`echo '{ "iptables": false }' > daemon.json`)).toEqual([]);
    // A directory of that name is not the command; a name that is also a word, only where a command starts.
    expect(commandsCalled('ls /sys/fs/cgroup/cpu/docker/$ID; for g in docker sdlab; do :; done')).toEqual([]);
    expect(commandsCalled('D=$(docker inspect test)')).toEqual(['docker']);
    expect(commandsCalled('x | docker exec -i test sh')).toEqual(['docker']);
  });
});

describe('every cell of every chapter', () => {
  it('requires each command of the package map that it calls', () => {
    const problems = listChapters().flatMap(({ file }) =>
      loadChapter(file).cells.flatMap((cell) =>
        undeclared(cell).map(
          (c) => `${file}:${cell.line} ${cell.id} calls ${c} (${TOOLS[c]?.debian}): add requires=cmd:${c}`,
        ),
      ),
    );
    expect(problems).toEqual([]);
  });
});
