/**
 * Structured outputs: a cell with `data=KIND` prints a snapshot (JSON, or samples for
 * `data=samples`) instead of text for people; the site draws it (a diagram, a plot) at build
 * time from the recording and again from a live run, and `expect="..."` states facts about
 * its structure that `labbook check`, `npm test` and the page verify.
 *
 *   ```sh run id=veth-topology data=network title="The pair joins the lab and c1" check
 *   lab_net_json lab c1                             claim="veth1 is in c1" expect="peer veth0 in c1"
 *   ```
 *
 * The expectations of each kind are EXPECTATIONS below (README's table is tested against it).
 * Runs are compared by `comparableStructure`: the model, not the drawing's text.
 */
import { Placeholders, plainText } from '../normalize.ts';
import { interfaceOf, type NetworkModel, networkComparable, networkMermaid, parseNetwork } from './network.ts';
import { type OverlayModel, overlayMermaid, parseOverlay } from './overlay.ts';
import { type ProcessModel, parseProcesses, processesComparable, processesMermaid } from './processes.ts';
import { parseSamples, type Series } from './samples.ts';

export const DATA_KINDS = ['network', 'processes', 'overlay', 'samples'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

export type Structure =
  | { kind: 'network'; model: NetworkModel }
  | { kind: 'processes'; model: ProcessModel }
  | { kind: 'overlay'; model: OverlayModel }
  | { kind: 'samples'; model: Series[] };

/** Reads a data cell's raw output; throws an Error that says what is wrong with it. */
export function readStructure(kind: DataKind, rawOutput: string): Structure {
  const text = plainText(rawOutput).trim();
  if (kind === 'samples') return { kind, model: parseSamples(text) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the output of a data=${kind} cell is not JSON`);
  }
  if (kind === 'network') return { kind, model: parseNetwork(json) };
  if (kind === 'processes') return { kind, model: parseProcesses(json) };
  return { kind, model: parseOverlay(json) };
}

/** The mermaid source of a structure's diagram (samples are plotted, not drawn by mermaid). */
export function structureMermaid(s: Exclude<Structure, { kind: 'samples' }>): string {
  if (s.kind === 'network') return networkMermaid(s.model);
  if (s.kind === 'processes') return processesMermaid(s.model);
  return overlayMermaid(s.model);
}

/**
 * The facts `expect=` may state about each kind, separated by `;`. A word in capitals is any
 * word (N: a number); the others are written as they are.
 */
export const EXPECTATIONS: Record<Exclude<DataKind, 'samples'>, readonly string[]> = {
  network: ['peer IF in NS', 'peer IF is IF', 'master IF is BRIDGE', 'parent IF is IF', 'kind IF is KIND'],
  // pid1 COMM: COMM is PID 1 of a child namespace. A with pid1 B: a process named A is in the
  // child namespace whose PID 1 is named B.
  processes: ['pid1 COMM', 'depth COMM is N', 'COMM with pid1 COMM'],
  overlay: ['file PATH from LAYER', 'whiteout PATH in LAYER'],
};

const pattern = (form: string) => new RegExp(`^${form.replace(/\b[A-Z]+\b/g, (w) => (w === 'N' ? '\\d+' : '\\S+'))}$`);
export const GRAMMAR = Object.fromEntries(
  Object.entries(EXPECTATIONS).map(([kind, forms]) => [kind, forms.map(pattern)]),
) as Record<Exclude<DataKind, 'samples'>, RegExp[]>;

type Clause = { words: string[]; text: string };

/**
 * Splits `expect=` into its clauses, spaces tidied, each checked by `accepts`; throws with what
 * is wrong, `write` saying what to write instead (for data= kinds here, and a change: change.ts).
 */
export function splitClauses(text: string, accepts: (clause: string) => boolean, write: string): string[] {
  const clauses = text
    .split(';')
    .map((c) => c.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
  if (!clauses.length) throw new Error('expect= is empty');
  const wrong = clauses.find((c) => !accepts(c));
  if (wrong !== undefined) throw new Error(`"${wrong}" is not an expectation about ${write}`);
  return clauses;
}

/** Splits and checks `expect=` against the grammar of its kind; throws with what is wrong. */
export function parseExpect(kind: DataKind, text: string): Clause[] {
  if (kind === 'samples') throw new Error('data=samples takes no expect=');
  const clauses = splitClauses(
    text,
    (c) => GRAMMAR[kind].some((g) => g.test(c)),
    `${kind}: write ${EXPECTATIONS[kind].join(', ')}`,
  );
  return clauses.map((c) => ({ text: c, words: c.split(' ') }));
}

/** The expectations that do not hold, each as a sentence. */
export function unmetExpectations(s: Structure, expect: string): string[] {
  if (s.kind === 'samples') return [];
  return parseExpect(s.kind, expect)
    .filter((c) => !holds(s, c.words))
    .map((c) => `"${c.text}" does not hold`);
}

function holds(s: Exclude<Structure, { kind: 'samples' }>, w: string[]): boolean {
  const [verb, a = '', , b = ''] = w;
  if (s.kind === 'network') return networkHolds(s.model, w);
  if (s.kind === 'processes') {
    const all = s.model.namespaces.flatMap((ns) => ns.processes.map((p) => ({ ns, p })));
    const isPid1 = (x: (typeof all)[number], comm: string) =>
      x.ns.depth > 0 && x.p.comm === comm && x.p.pids.at(-1) === 1;
    if (a === 'with') return all.some((x) => x.p.comm === verb && all.some((y) => y.ns === x.ns && isPid1(y, b)));
    const found = all.filter((x) => x.p.comm === a);
    if (verb === 'pid1') return found.some((x) => x.ns.depth > 0 && x.p.pids.at(-1) === 1);
    return found.some((x) => x.ns.depth === Number(b));
  }
  if (verb === 'file') return s.model.files.some((f) => f.path === a && f.from === b);
  return s.model.whiteouts.some((x) => x.path === a && x.layer === b);
}

/** Whether a clause of the network kind (its words) holds: for data=network and for a cell's change (change.ts). */
export function networkHolds(model: NetworkModel, w: string[]): boolean {
  const [verb, a = '', , b = ''] = w;
  const i = interfaceOf(model, a);
  if (!i) return false;
  if (verb === 'peer' && w[2] === 'in') return i.peer?.split('/')[0] === b;
  if (verb === 'peer') return i.peer === b || i.peer?.split('/')[1] === b;
  if (verb === 'master') return i.master?.split('/')[1] === b;
  if (verb === 'parent') return i.parent === b || i.parent?.split('/')[1] === b;
  return i.kind === b;
}

/**
 * What runs of a data cell are compared by, as text: its structure with what changes from run
 * to run set aside (network.ts and processes.ts say what), keys sorted, one line per interface,
 * process, file or sample, so that a difference names what changed. Two runs are the same when
 * these are equal, whatever their drawings' labels.
 */
export function comparableStructure(s: Structure): string {
  const model =
    s.kind === 'network'
      ? networkComparable(s.model)
      : s.kind === 'processes'
        ? processesComparable(s.model, new Placeholders())
        : s.model;
  return canonical(model);
}

const isPlain = (v: unknown) => v === null || typeof v !== 'object';
const isFlat = (v: unknown): v is unknown[] | string | number | boolean | null =>
  isPlain(v) || (Array.isArray(v) && v.every(isPlain));
const flat = (v: unknown[] | string | number | boolean | null) =>
  Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);

/** JSON with sorted keys and no undefined values; an object or array of plain values on one line. */
function canonical(v: unknown, indent = ''): string {
  if (isFlat(v)) return flat(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + canonical(x, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(v as object)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const line = (k: string, x: unknown, at: string) => `${JSON.stringify(k)}: ${canonical(x, at)}`;
  if (entries.every(([, x]) => isFlat(x))) return `{${entries.map(([k, x]) => line(k, x, inner)).join(', ')}}`;
  return `{\n${entries.map(([k, x]) => inner + line(k, x, inner)).join(',\n')}\n${indent}}`;
}
