/**
 * shq and splitWords (runner/target.ts): a word quoted by shq comes back the same from a real
 * POSIX shell (sh and bash, through printf), and from splitWords; splitWords splits a line
 * as sh does for the quoting it knows (no expansions), and says when a quote is unbalanced.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shq, splitWords, TargetError } from '../../runner/target.ts';

/** The words a shell makes of a command line: printf prints each, ended by a NUL (after a first word, so that no word still prints one). */
function shellWords(shell: 'sh' | 'bash', line: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' first ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(1, -1);
}

/** Any text a command line can carry (no NUL), rich in what a shell treats specially. */
const SPECIAL = [...'\'"\\ \t\n$`*?[]{}~#!;&|<>()=%@,:+-./'];
const word = fc.string({
  unit: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })),
  maxLength: 20,
});
const words = fc.array(
  word.filter((w) => !w.includes('\0')),
  { minLength: 1, maxLength: 6 },
);

describe('shq', () => {
  it('leaves a safe word bare and quotes anything else', () => {
    expect(shq('abc')).toBe('abc');
    expect(shq('/usr/bin/env')).toBe('/usr/bin/env');
    expect(shq('user@host:22,a=b+c%d')).toBe('user@host:22,a=b+c%d');
    expect(shq('')).toBe("''");
    expect(shq('a b')).toBe("'a b'");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('$HOME')).toBe("'$HOME'");
    expect(shq('back\\slash')).toBe("'back\\slash'");
    expect(shq("'")).toBe("''\\'''");
  });

  it('gives sh and bash back each word as it was', () => {
    fc.assert(
      fc.property(words, (ws) => {
        const line = ws.map(shq).join(' ');
        expect(shellWords('sh', line)).toEqual(ws);
        expect(shellWords('bash', line)).toEqual(ws);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips through splitWords', () => {
    fc.assert(
      fc.property(words, (ws) => {
        expect(splitWords(ws.map(shq).join(' '))).toEqual(ws);
      }),
      { numRuns: 1000 },
    );
  });
});

/**
 * Command lines that mean the same to splitWords and to sh: bare words without expansions,
 * single-quoted text, double-quoted text (where a backslash escapes only $ ` " \ and a
 * newline, and is kept before anything else), a backslash before any character but a newline,
 * outside quotes.
 */
const BARE = [...'abcxyz019._-/=%@,:+'];
const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom(...BARE), minLength: 1, maxLength: 4 }),
  fc.constantFrom(' ', '  ', '\t'),
  fc.string({ unit: fc.constantFrom(...BARE, ' ', '"', '\\', '$', '*', '\t'), maxLength: 5 }).map((s) => `'${s}'`),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...BARE, ' ', "'", '*', '\t'),
        fc.constantFrom('\\"', '\\\\', '\\$', '\\`', '\\a', '\\*', "\\'"),
      ),
      { maxLength: 5 },
    )
    .map((s) => `"${s.join('')}"`),
  fc.constantFrom(...BARE, ' ', "'", '"', '\\', '$', '*', '`', '#', '~', ';', '&', '|').map((c) => `\\${c}`),
);
const line = fc
  .array(piece, { maxLength: 8 })
  .map((ps) => ps.join(''))
  // A word that starts with # is a comment to sh, and ~ a home directory.
  .filter((l) => !/(^|\s)[#~]/.test(l));

describe('splitWords', () => {
  it('splits as sh does', () => {
    fc.assert(
      fc.property(line, (l) => {
        expect(splitWords(l)).toEqual(shellWords('sh', l));
      }),
      { numRuns: 150 },
    );
  });

  it('handles the edge cases', () => {
    expect(splitWords('')).toEqual([]);
    expect(splitWords(' \t\n ')).toEqual([]);
    expect(splitWords("''")).toEqual(['']);
    expect(splitWords('""')).toEqual(['']);
    expect(splitWords("a '' b")).toEqual(['a', '', 'b']);
    expect(splitWords('  limactl   shell\tdefault\n')).toEqual(['limactl', 'shell', 'default']);
    expect(splitWords('multipass exec vm -- bash -c')).toEqual(['multipass', 'exec', 'vm', '--', 'bash', '-c']);
    expect(splitWords(`a'b'"c"d`)).toEqual(['abcd']);
    expect(splitWords(`'a "b" c'`)).toEqual(['a "b" c']);
    expect(splitWords(`"it's"`)).toEqual(["it's"]);
    expect(splitWords(`"a\\"b" "c\\\\d"`)).toEqual(['a"b', 'c\\d']);
    // In double quotes a backslash before anything but $ \` " \\ and a newline is kept, as sh keeps it.
    expect(splitWords(`"a\\b" "\\$x"`)).toEqual(['a\\b', '$x']);
    expect(shellWords('sh', `"a\\b" "\\$x"`)).toEqual(['a\\b', '$x']);
    expect(splitWords(`'a\\b'`)).toEqual(['a\\b']);
    expect(splitWords(`a\\ b \\'c`)).toEqual(['a b', "'c"]);
    // A backslash at the very end is kept, as sh keeps it.
    expect(splitWords('a\\')).toEqual(['a\\']);
    expect(shellWords('sh', 'a\\')).toEqual(['a\\']);
    // Nothing is expanded.
    expect(splitWords('echo $HOME *')).toEqual(['echo', '$HOME', '*']);
  });

  it('refuses an unbalanced quote, saying which', () => {
    expect(() => splitWords("it's")).toThrow(TargetError);
    expect(() => splitWords("it's")).toThrow(`unbalanced ' in "it's"`);
    expect(() => splitWords('say "hi')).toThrow(`unbalanced " in "say "hi"`);
    // In single quotes a backslash is only a backslash: it does not escape the closing quote.
    expect(splitWords(`'a\\'`)).toEqual(['a\\']);
    expect(() => splitWords(`'a\\'b'`)).toThrow(`unbalanced ' in "'a\\'b'"`);
    expect(() => splitWords(`"a\\"`)).toThrow(`unbalanced " in ""a\\""`);
  });
});
