/**
 * Turns terminal output into text that can be compared across runs: escape sequences and
 * `\r` progress are resolved, and volatile values become typed placeholders bound on first
 * sight, so a value that appears twice must still match itself.
 *
 *   "bash(1)───sleep(42)\nkill 42\nmac 0a:1b:2c:3d:4e:5f"
 *   -> "bash(<pid:1>)───sleep(<pid:2>)\nkill <pid:2>\nmac <mac:1>"
 *
 * (`kill 42` binds because 42 was first seen as a PID: any later whole-word occurrence of a
 * bound PID is the same PID.)
 */

// CSI and OSC sequences, and lone two-byte escapes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are what this strips.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>78]/g;

export function plainText(raw: string): string {
  return raw
    .replace(ESCAPES, '')
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1).trimEnd())
    .join('\n');
}

interface Rule {
  kind: string;
  /** The volatile value is the named group `v`. */
  pattern: RegExp;
}

/** Order matters: MACs before times (both have colons), ns inodes before PIDs. */
const RULES: Rule[] = [
  { kind: 'mac', pattern: /\b(?<v>(?!00:00:00:00:00:00|ff:ff:ff:ff:ff:ff)[0-9a-f]{2}(?::[0-9a-f]{2}){5})\b/g },
  { kind: 'time', pattern: /\b(?<v>\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)/g },
  { kind: 'time', pattern: /(?<![\w:])(?<v>\d{1,2}:\d\d:\d\d(?:\.\d+)?)(?![\w:])/g },
  { kind: 'dur', pattern: /\b(?<v>\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|sec))\b/g },
  { kind: 'dur', pattern: /\b(?<v>\d+m\d+(?:\.\d+)?s)\b/g },
  { kind: 'ns', pattern: /\b(?<v>40265\d{5})\b/g },
  { kind: 'ifindex', pattern: /@if(?<v>\d+)\b/g },
  { kind: 'ifindex', pattern: /\bifindex (?<v>\d+)\b/g },
  { kind: 'ifindex', pattern: /\/dev\/tap(?<v>\d+)\b/g },
  { kind: 'ifindex', pattern: /^(?<v>\d+): (?=[\w.-]+(?:@[\w.-]+)?: <)/gm },
  { kind: 'pid', pattern: /[\w.-]\((?<v>\d+)\)/g },
  { kind: 'pid', pattern: /\b(?:NSpid|Pid|PPid|Tgid):\s+(?<v>\d+(?:\s+\d+)*)/g },
  { kind: 'pid', pattern: /\b(?:pid|PID)[= ](?<v>\d+)\b/g },
  // What an interactive bash prints for `cmd &`: the job number and the PID.
  { kind: 'pid', pattern: /^\[\d+\] (?<v>\d+)$/gm },
  { kind: 'lab', pattern: /\b(?<v>labbook-\d+-\d+)\b/g },
  // Docker's IDs: a container's or a layer's (64 hex digits, 12 when short), a layer's link
  // name under overlay2/l (26 characters), the host end of a container's veth. A number of
  // 12 digits is not an ID: an ID has a letter.
  { kind: 'id', pattern: /(?<![\w.-])(?<v>(?=\d*[a-f])(?:[0-9a-f]{64}|[0-9a-f]{12}))(?![\w.])/g },
  { kind: 'id', pattern: /\/l\/(?<v>[A-Z0-9]{26})\b/g },
  // The scope of a container under Docker's systemd cgroup driver.
  { kind: 'id', pattern: /\bdocker-(?<v>[0-9a-f]{64})\.scope\b/g },
  { kind: 'link', pattern: /\b(?<v>veth[0-9a-f]{7})\b/g },
  // A lab that is a systemd scope (runner/shell/lab-init.sh).
  { kind: 'lab', pattern: /\b(?<v>labbook-\d+)\.scope\b/g },
  // Where a remote target keeps labbook's scripts (target-remote.ts): mktemp's suffix.
  { kind: 'lab', pattern: /\blabbook-target\.(?<v>\w{6})\b/g },
  // Where a local target runs them from: the checkout, wherever it is.
  { kind: 'lab', pattern: /(?<![\w.-])(?<v>\/[\w./-]+)\/runner\/shell\/[\w.-]+\.sh\b/g },
];

const UNBOUND = new Set(['time', 'dur', 'volatile']);

/** A cell's own pattern as a rule: its named group `v`, or the whole match when it has none. */
function volatileRule(source: string): Rule {
  return { kind: 'volatile', pattern: new RegExp(/\(\?<v>/.test(source) ? source : `(?<v>${source})`, 'gm') };
}

/**
 * Volatile values to typed placeholders, each bound on first sight: the first PID seen is
 * `<pid:1>` wherever it appears again, the next one `<pid:2>`. `normalize` binds what it finds
 * in text with one; a data cell's structure binds its PIDs and inodes with another
 * (structure/index.ts), so that both compare runs alike.
 */
export class Placeholders {
  private readonly bound = new Map<string, Map<string, string>>();

  bind(kind: string, value: string | number): string {
    const values = this.bound.get(kind) ?? new Map<string, string>();
    this.bound.set(kind, values);
    const placeholder = values.get(String(value)) ?? `<${kind}:${values.size + 1}>`;
    values.set(String(value), placeholder);
    return placeholder;
  }

  /** The values of a kind bound so far, each with its placeholder. */
  of(kind: string): ReadonlyMap<string, string> {
    return this.bound.get(kind) ?? new Map();
  }
}

/**
 * `volatile` is a cell's own pattern (its volatile= attribute): each match, or its named group
 * `v`, becomes `<volatile>` before the rules run, so that nothing in it is bound.
 *
 *   normalize("sent 3 packets in 12 ms", "[0-9]+ packets") -> "sent <volatile> in <dur>"
 */
export function normalize(raw: string, volatile?: string): string {
  const placeholders = new Placeholders();
  const bind = (kind: string, value: string) => placeholders.bind(kind, value);
  let text = plainText(raw);
  // The cell's own pattern first, so that nothing in what it covers is bound.
  for (const { kind, pattern } of volatile ? [volatileRule(volatile), ...RULES] : RULES) {
    text = text.replace(pattern, (...args) => {
      const match = args[0] as string;
      const groups = args.at(-1) as { v?: string };
      // A group v that took no part in the match (a cell's optional one) leaves the match as it is.
      const { v } = groups;
      if (v === undefined) return match;
      const offset = match.lastIndexOf(v);
      // Several PIDs in one field (NSpid) are bound one by one.
      const value = v.replace(/\d+/g, (n) => (kind === 'pid' ? bind(kind, n) : n));
      // Times, durations and a cell's volatile part are readings: equal or not, they carry no identity.
      const replaced = kind === 'pid' ? value : UNBOUND.has(kind) ? `<${kind}>` : bind(kind, v);
      return match.slice(0, offset) + replaced + match.slice(offset + v.length);
    });
  }
  // A PID seen once is the same PID wherever it appears again as a whole word.
  const pids = placeholders.of('pid');
  if (pids.size) {
    text = text.replace(/(?<![\w.:<])\d+(?![\w.:>])/g, (n) => pids.get(n) ?? n);
  }
  return text;
}
