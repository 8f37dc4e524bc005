/**
 * Claims about what a cell changed in the kernel: `expect=` on a check cell without `data=`
 * states facts about its change, the lines of lab-state.ts that its recording keeps, in the
 * words of those lines and of data=network's expectations:
 *
 *   ```sh run id=veth-pair check claim="the pair's other end is in ns1" expect="+ namespace net ns1; peer veth0 in ns1"
 *   ip netns add ns1
 *   ip link add veth0 type veth peer name veth1 netns ns1
 *   ```
 *
 * "+ OBJECT ..." holds when a line of the change starts with it, up to a word's end: "+ link
 * veth1" holds for "+ link veth1 in ns1 (veth, peer veth0 in lab, down)", "+ cgroup docker" for
 * "+ cgroup docker/<id>"; one that ends with "/", "+ cgroup docker/", only for what is below it. The line may also be read normalised (normalize.ts), so that a volatile
 * part can be written as its placeholder. The network forms hold for the links that the change
 * adds or changes, read back from their lines.
 *
 * Browser-safe: the page verifies recorded claims with it.
 */
import { normalize } from './normalize.ts';
import { EXPECTATIONS, GRAMMAR, networkHolds, splitClauses } from './structure/index.ts';
import type { Interface, NetworkModel } from './structure/network.ts';

export const CHANGE_OBJECTS = ['namespace', 'link', 'address', 'route', 'mount', 'cgroup', 'process'] as const;

/**
 * The forms of a claim about a change, besides those of data=network, which it takes too
 * (README's table of expectations is tested against it).
 */
export const CHANGE_EXPECTATIONS: readonly string[] = [
  '+ namespace TYPE NAME',
  '+ link IF',
  '+ address ADDR on IF',
  '+ route DEST',
  '+ mount TYPE on PATH',
  '+ cgroup PATH',
  '+ process COMM',
  '~ link IF',
  // As data=processes says it: a new process COMM is PID 1 of its namespace.
  'pid1 COMM',
];

const LINE = new RegExp(`^[+~-] (?:${CHANGE_OBJECTS.join('|')}) \\S`);
const PID1 = /^pid1 (\S+)$/;

/** Splits `expect=` on a change into clauses; throws with what is wrong. */
export function parseChangeExpect(text: string): string[] {
  return splitClauses(
    text,
    (c) => LINE.test(c) || PID1.test(c) || GRAMMAR.network.some((g) => g.test(c)),
    `a change: write + (appeared), - (went) or ~ (changed), then one of ${CHANGE_OBJECTS.join(', ')} and its name, or ${EXPECTATIONS.network.join(', ')}`,
  );
}

const LINK = /^([+~]) link (\S+)(?: in (\S+))? \((.*)\)$/;

/** The links a change adds or changes, as data=network's model knows them. */
function changedLinks(lines: string[]): NetworkModel {
  const byRef = new Map<string, Interface>();
  for (const line of lines) {
    const m = LINK.exec(line);
    if (!m) continue;
    const [, op, name = '', ns = 'lab', details = ''] = m;
    const i = byRef.get(`${ns}/${name}`) ?? { ns, name, ifindex: 0, kind: '', up: false, addresses: [] };
    for (const [n, d] of details.split(', ').entries()) {
      const peer = /^(peer|parent) (\S+) in (\S+)$/.exec(d);
      if (peer) i[peer[1] as 'peer' | 'parent'] = `${peer[3]}/${peer[2]}`;
      else if (d.startsWith('master ')) i.master = `${ns}/${d.slice('master '.length)}`;
      else if (d === 'up' || d === 'down') i.up = d === 'up';
      else if (op === '+' && n === 0) i.kind = d.split(' ')[0] ?? d;
    }
    byRef.set(`${ns}/${name}`, i);
  }
  const all = [...byRef.values()];
  return {
    namespaces: [...new Set(all.map((i) => i.ns))].map((name) => ({
      name,
      interfaces: all.filter((i) => i.ns === name),
    })),
  };
}

/**
 * A line of a link, address, route or mount, or a clause about one, without the namespace it
 * names, and that namespace ("lab" when it names none):
 *   "+ link veth1 in ns1 (veth, ...)" -> ["+ link veth1 (veth, ...)", "ns1"]
 *   "+ address 10.0.0.1/24 on veth1 in ns1" -> ["+ address 10.0.0.1/24 on veth1", "ns1"]
 */
function withoutNs(line: string): [string, string] {
  const link = /^([+~-] link \S+) in (\S+)(?= \(|$)/.exec(line);
  if (link) return [line.replace(` in ${link[2]}`, ''), link[2] as string];
  const other = /^([+~-] (?:address|route|mount) .*?) in (\S+)((?: \([^)]*\))?)$/.exec(line);
  if (other) return [`${other[1]}${other[3]}`, other[2] as string];
  return [line, 'lab'];
}

/**
 * A clause holds for a line that starts with it up to the end of a word (a space or "("), in
 * the same namespace; a cgroup's also up to a "/", and one that ends with "/" for what is below.
 */
function holdsFor(line: string, clause: string): boolean {
  const [body, ns] = withoutNs(line);
  const [want, wantNs] = withoutNs(clause);
  if (ns !== wantNs || !body.startsWith(want)) return false;
  const rest = body.slice(want.length);
  const cgroup = want.slice(2).startsWith('cgroup ');
  return rest === '' || /^[ (]/.test(rest) || (cgroup && (rest.startsWith('/') || want.endsWith('/')));
}

/** "pid1 COMM": a line says a new process COMM is PID 1 of its namespace. */
const isPid1 = (line: string, comm: string) =>
  line.startsWith(`+ process ${comm}(`) && line.endsWith(' (PID 1 in its namespace)');

/**
 * The claims about a change that do not hold, each as a sentence; a change that was not taken
 * (undefined: the run took no snapshots) holds none of them.
 */
export function unmetChangeExpectations(expect: string, change: string[] | undefined): string[] {
  const clauses = parseChangeExpect(expect);
  if (!change) return ['its change in the kernel was not recorded (this run took no snapshots)'];
  const normalised = normalize(change.join('\n')).split('\n');
  const links = changedLinks(change);
  return clauses
    .filter((c) => {
      const pid1 = PID1.exec(c)?.[1];
      if (pid1) return !change.some((l) => isPid1(l, pid1));
      if (LINE.test(c)) return ![...change, ...normalised].some((l) => holdsFor(l, c));
      return !networkHolds(links, c.split(' '));
    })
    .map((c) => `"${c}" does not hold`);
}
