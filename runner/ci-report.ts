/**
 * What `labbook check` tells CI, from the same problems it prints: a JUnit XML report (one
 * test suite per chapter and target, one test case per cell, at the cell's file and line) and
 * GitHub Actions annotations on the cell's line of the Markdown.
 *
 *   a cell "veth" at line 40 of src/content/docs/namespace.md whose output changed ->
 *   <testsuite name="vm:debian13 namespace" tests="12" failures="1" skipped="2" ...>
 *     <testcase classname="vm:debian13.namespace" name="veth" file="src/content/docs/namespace.md" line="40" time="0.2">
 *       <failure message="the output of the cell &quot;veth&quot; differs from its recording">--- veth (recorded) ...</failure>
 *   ::error file=src/content/docs/namespace.md,line=40,title=vm%3Adebian13 namespace veth::the output of ...%0A--- veth ...
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Problem } from '../src/cells/compare.ts';
import type { Cell } from '../src/cells/parse.ts';
import { reasonText } from '../src/cells/reasons.ts';
import type { Recording } from '../src/cells/recording.ts';

/** One chapter checked on one target. */
export interface CheckedChapter {
  /** The target as given (vm:debian13, local, ssh://...). */
  spec: string;
  slug: string;
  /** The chapter's Markdown file. */
  file: string;
  cells: Cell[];
  fresh: Recording;
  problems: Problem[];
}

interface Failure {
  cell: string | undefined;
  file: string;
  line: number;
  title: string;
  message: string;
  details: string;
}

/** The chapter's problems, each at the line of its cell (a problem of no cell, such as a missing recording: line 1). */
function failures(c: CheckedChapter, root: string): Failure[] {
  const lines = new Map(c.cells.map((cell) => [cell.id, cell.line]));
  return c.problems.map((p) => ({
    cell: p.cell,
    file: relative(root, c.file),
    line: (p.cell && lines.get(p.cell)) || 1,
    title: `${c.spec} ${c.slug}${p.cell ? ` ${p.cell}` : ''}`,
    message: p.message,
    details: p.diff ?? '',
  }));
}

/** The JUnit XML report of chapters checked; `root` is the directory file paths are given from. */
export function junitReport(chapters: CheckedChapter[], root: string): string {
  const suites = chapters.map((c) => {
    const file = relative(root, c.file);
    const recorded = new Map(c.fresh.cells.map((r) => [r.id, r]));
    const all = failures(c, root);
    const testcase: Record<string, unknown>[] = c.cells.map((cell) => {
      const run = recorded.get(cell.id);
      const found = all.filter((f) => f.cell === cell.id);
      const reason = run && reasonText(run);
      return {
        '@_classname': `${c.spec}.${c.slug}`,
        '@_name': cell.id,
        '@_file': file,
        '@_line': cell.line,
        '@_time': ((run?.durationMs ?? 0) / 1000).toFixed(3),
        ...(found.length
          ? {
              failure: {
                '@_message': found.map((f) => f.message).join('; '),
                '#text': found.map((f) => [f.message, f.details].filter(Boolean).join('\n')).join('\n\n'),
              },
            }
          : run?.status === 'skipped'
            ? { skipped: { '@_message': reason ?? 'skipped' } }
            : {}),
      };
    });
    // Problems of the chapter, not of one of its cells (its recording is missing, or holds a cell it has no more).
    const ids = new Set(c.cells.map((cell) => cell.id));
    const others = all.filter((f) => !f.cell || !ids.has(f.cell));
    if (others.length) {
      testcase.push({
        '@_classname': `${c.spec}.${c.slug}`,
        '@_name': '(recording)',
        '@_file': file,
        '@_line': 1,
        '@_time': '0.000',
        failure: {
          '@_message': others.map((f) => f.message).join('; '),
          '#text': others.map((f) => f.message).join('\n'),
        },
      });
    }
    return {
      '@_name': `${c.spec} ${c.slug}`,
      '@_tests': testcase.length,
      '@_failures': testcase.filter((t) => 'failure' in t).length,
      '@_errors': 0,
      '@_skipped': testcase.filter((t) => 'skipped' in t).length,
      '@_time': (c.fresh.cells.reduce((ms, r) => ms + r.durationMs, 0) / 1000).toFixed(3),
      '@_timestamp': c.fresh.recordedAt,
      testcase,
    };
  });
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ testsuites: { '@_name': 'labbook check', testsuite: suites } })}`;
}

// GitHub's workflow commands: data escapes %, CR and LF; properties also : and ,.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One `::error` line per problem, for GitHub Actions to show on the cell's line in a pull request. */
export function githubAnnotations(chapters: CheckedChapter[], root: string): string[] {
  return chapters.flatMap((c) =>
    failures(c, root).map(
      (f) =>
        `::error file=${escapeProperty(f.file)},line=${f.line},title=${escapeProperty(f.title)}::${escapeData(
          [f.message, f.details].filter(Boolean).join('\n'),
        )}`,
    ),
  );
}

/**
 * What `labbook check --junit FILE` and the test suite's chapter runs leave for CI: the JUnit
 * report in `junitFile` (its directory made), and under GitHub Actions the annotations on stdout.
 */
export function ciReport(chapters: CheckedChapter[], junitFile: string | undefined, root = process.cwd()): void {
  if (process.env.GITHUB_ACTIONS === 'true') for (const line of githubAnnotations(chapters, root)) console.log(line);
  if (!junitFile) return;
  mkdirSync(dirname(junitFile), { recursive: true });
  writeFileSync(junitFile, junitReport(chapters, root));
}

/**
 * The failed test cases of a JUnit report that junitReport wrote, one line each, for the end of
 * `npm test` (and so of .ci/run): `vm:debian13 namespace veth at src/content/docs/namespace.md:40: the output ...`.
 */
export function failedCells(xml: string): string[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  type Case = { '@_classname': string; '@_name': string; '@_file': string; '@_line': string; failure?: unknown };
  const report = parser.parse(xml) as { testsuites?: { testsuite?: { '@_name': string; testcase?: Case[] }[] } };
  return (report.testsuites?.testsuite ?? []).flatMap((suite) =>
    (suite.testcase ?? [])
      .filter((t) => t.failure !== undefined)
      .map((t) => {
        const f = t.failure as string | { '@_message'?: string };
        const message = typeof f === 'object' ? (f['@_message'] ?? '') : '';
        return `${suite['@_name']} ${t['@_name']} at ${t['@_file']}:${t['@_line']}: ${message}`;
      }),
  );
}

/** Where the test suite leaves the JUnit report of a chapter's run: .cache/junit/local-namespace.xml. */
export function junitFile(spec: string, slug: string): string {
  return join('.cache', 'junit', `${spec.replace(/[^\w.-]+/g, '-')}-${slug}.xml`);
}
