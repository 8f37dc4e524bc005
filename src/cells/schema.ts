/**
 * The attributes a cell's fence may carry, one zod schema each, and the chapter's
 * frontmatter. The `help` of each attribute is what an author reads when a value is wrong.
 *
 *   ```sh run id=net-ns-veth session=container timeout=10s exit=1 requires=macvlan
 *
 * This is the one definition of the attributes: the parser reads fences with it, and README's
 * table of attributes, written for people, is tested against it (tests/unit/attributes.test.ts:
 * the same names in the same order, the same defaults).
 */
import { z } from 'zod';
import { isCapability } from './capabilities.ts';
import { DATA_KINDS } from './structure/index.ts';

/** The session a cell runs in unless it names another: the lab's own shell. */
export const DEFAULT_SESSION = 'lab';

const capability = z.string().refine(isCapability, {
  error:
    'is neither a capability (src/cells/capabilities.ts) nor cmd:NAME for a command of src/cells/packages.ts (add a new command there, with its packages)',
});

/** A regular expression a cell may give for the volatile part of its output (volatile=). */
function isPattern(source: string): boolean {
  try {
    return !new RegExp(source, 'm').test('');
  } catch {
    return false;
  }
}

const flag = z.literal(true, { error: 'is a flag: write it alone, without "="' });

const duration = z
  .string()
  .regex(/^\d+(ms|s|m)$/, { error: 'must be a number with ms, s or m, like 500ms or 10s' })
  .transform((v) => {
    const n = Number.parseInt(v, 10);
    return v.endsWith('ms') ? n : v.endsWith('m') ? n * 60_000 : n * 1000;
  })
  .pipe(z.number().min(100).max(600_000, { error: 'must be at most 10m' }));

export const NAME = /^[a-z][a-z0-9-]*$/;

export const ATTRIBUTES = {
  run: { schema: flag, help: 'marks the block as a cell' },
  id: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
      error: 'must be lowercase letters, digits and dashes, like pid-ns-inode',
    }),
    help: 'a name unique in the chapter, the same in every language: id=pid-ns-inode',
  },
  session: {
    schema: z.string().regex(NAME, { error: 'must be a lowercase name, like container' }),
    help: "the shell it runs in: lab (the lab's own shell, the default) or one declared under lab.sessions",
  },
  timeout: { schema: duration, help: 'how long it may run before it is interrupted: timeout=10s' },
  exit: {
    schema: z.union([
      z.literal('any'),
      z
        .string()
        .regex(/^\d{1,3}$/, { error: 'must be a number from 0 to 255, or any' })
        .transform(Number)
        .pipe(z.number().max(255)),
    ]),
    help: 'the exit status it must end with (default 0), or any',
  },
  requires: {
    schema: z
      .string()
      .transform((v) => v.split(','))
      .pipe(z.array(capability)),
    help: 'what the target must have, comma-separated: requires=ipvlan,cmd:iperf3',
  },
  check: { schema: flag, help: 'the cell proves a claim of the text and must exit 0' },
  claim: {
    schema: z.string().min(1),
    help: 'with check: the sentence it proves, shown to readers: claim="PID 1 differs"',
  },
  setup: { schema: flag, help: 'hidden preparation, run before the cells that follow it' },
  teardown: { schema: flag, help: 'hidden cleanup, run at the end even after a failure' },
  hidden: { schema: flag, help: 'runs and is recorded but is not shown to readers' },
  compare: {
    schema: z.enum(['text', 'status'], { error: 'must be text or status' }),
    help: 'what a check compares with the recording: text (default) or only the status',
  },
  volatile: {
    schema: z
      .string()
      .min(1)
      .refine(isPattern, { error: 'must be a regular expression (JavaScript) that matches no empty text' }),
    help: 'a part of its own output that differs from run to run, compared as <volatile>: a regular expression, volatile="[0-9]+ packets" (inside quotes, \\\\ is one backslash); a named group v marks the part alone',
  },
  data: {
    schema: z.enum(DATA_KINDS, { error: `must be one of ${DATA_KINDS.join(', ')}` }),
    help: 'the cell prints a snapshot that the page draws: data=network (see src/cells/structure/)',
  },
  title: {
    schema: z.string().min(1),
    help: 'with data: what the drawing shows, its text alternative: title="Two namespaces joined by a veth pair"',
  },
  expect: {
    schema: z.string().min(1),
    help: 'with check: facts about the structure with data=, else about what the cell changed in the kernel, separated by ";": expect="peer veth0 in c1", expect="+ namespace net ns1"',
  },
  axes: {
    schema: z.string().regex(/^[^|]+\|[^|]+$/, { error: 'must be two labels separated by |' }),
    help: 'with data=samples: the x and y axis labels: axes="time (s)|CPU (%)"',
  },
} as const;

export type AttributeName = keyof typeof ATTRIBUTES;

export const cellAttributes = z.strictObject({
  run: ATTRIBUTES.run.schema,
  id: ATTRIBUTES.id.schema,
  session: ATTRIBUTES.session.schema.default(DEFAULT_SESSION),
  timeout: ATTRIBUTES.timeout.schema.default(30_000),
  exit: ATTRIBUTES.exit.schema.default(0),
  requires: ATTRIBUTES.requires.schema.default([]),
  check: ATTRIBUTES.check.schema.optional(),
  claim: ATTRIBUTES.claim.schema.optional(),
  setup: ATTRIBUTES.setup.schema.optional(),
  teardown: ATTRIBUTES.teardown.schema.optional(),
  hidden: ATTRIBUTES.hidden.schema.optional(),
  compare: ATTRIBUTES.compare.schema.default('text'),
  volatile: ATTRIBUTES.volatile.schema.optional(),
  data: ATTRIBUTES.data.schema.optional(),
  title: ATTRIBUTES.title.schema.optional(),
  expect: ATTRIBUTES.expect.schema.optional(),
  axes: ATTRIBUTES.axes.schema.optional(),
});

export const NAMESPACES = ['mount', 'uts', 'ipc', 'net', 'pid', 'cgroup'] as const;

/** A named session besides `host`: a shell the runner starts in new namespaces of the lab. */
export const sessionSpec = z.strictObject({
  namespaces: z.array(z.enum(NAMESPACES)).min(1),
  hostname: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/)
    .optional(),
});

export const chapterFrontmatter = z.looseObject({
  title: z.string().optional(),
  lab: z
    .strictObject({
      sessions: z.record(z.string().regex(NAME), sessionSpec).default({}),
      /** What every cell of the chapter requires, before its own requires=. */
      requires: z.array(capability).default([]),
    })
    .optional(),
});

export type SessionSpec = z.infer<typeof sessionSpec>;
